// The real @hapi/iron and iron-session, driven by tests/interop/iron.rs.
//
// Reads one JSON request per line on stdin, answers one JSON line each. Every request carries
// the time to pretend it is ("now", unix milliseconds); errors are reported by their message.
import readline from 'node:readline';

let Iron, ironSession;
try {
    Iron = (await import('@hapi/iron')).default ?? (await import('@hapi/iron'));
    ironSession = await import('iron-session');
}
catch (err) {
    console.log(JSON.stringify({ missing: `${err.message}; run npm ci in tests/interop/node` }));
    process.exit(0);
}

const realNow = Date.now;

const handle = async (req) => {
    Date.now = () => req.now;
    try {
        switch (req.op) {
            case 'seal': {
                const options = { ...Iron.defaults, ttl: req.ttl_ms ?? 0 };
                return { value: await Iron.seal(req.obj, req.password, options) };
            }
            case 'unseal': {
                return { obj: await Iron.unseal(req.value, req.password, Iron.defaults) };
            }
            case 'session_seal': {
                const options = { password: req.password };
                if (req.ttl !== undefined) {
                    options.ttl = req.ttl;
                }
                return { value: await ironSession.sealData(req.obj, options) };
            }
            case 'session_unseal': {
                const options = { password: req.password };
                if (req.ttl !== undefined) {
                    options.ttl = req.ttl;
                }
                // iron-session answers {} (no session) for an expired, forged or unknown-key seal.
                return { obj: await ironSession.unsealData(req.value, options) };
            }
            default:
                throw new Error(`unknown op ${req.op}`);
        }
    }
    finally {
        Date.now = realNow;
    }
};

console.log(JSON.stringify({ ready: true }));
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
    let answer;
    try {
        answer = await handle(JSON.parse(line));
    }
    catch (err) {
        answer = { error: err.message };
    }
    console.log(JSON.stringify(answer));
}
