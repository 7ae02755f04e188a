<?php
// The real Laravel 8 encryption and cookie middleware (Debian's php-illuminate-encryption and
// php-illuminate-cookie 8.83, over php-symfony-http-foundation 5.4), driven by
// tests/laravel/.
//
// Reads one JSON request per line on stdin, answers one JSON line each. Keys are given as
// APP_KEY ("base64:..." or raw) and read by the real EncryptionServiceProvider::parseKey;
// errors are reported by their class and message.

$missing = null;
foreach (['Encryption', 'Cookie'] as $component) {
    $autoload = "/usr/share/php/Illuminate/$component/autoload.php";
    if (!is_file($autoload)) {
        $missing = "$autoload not found (apt-get install php-illuminate-encryption php-illuminate-cookie)";
        break;
    }
    require_once $autoload;
}
if ($missing === null) {
    foreach ([
        'Illuminate\Encryption\Encrypter',
        'Illuminate\Encryption\EncryptionServiceProvider',
        'Illuminate\Cookie\CookieValuePrefix',
        'Illuminate\Cookie\Middleware\EncryptCookies',
        'Symfony\Component\HttpFoundation\Request',
    ] as $class) {
        if (!class_exists($class)) {
            $missing = "class $class not found";
            break;
        }
    }
}
if ($missing !== null) {
    echo json_encode(['missing' => $missing]), "\n";
    exit(0);
}

use Illuminate\Cookie\CookieValuePrefix;
use Illuminate\Cookie\Middleware\EncryptCookies;
use Illuminate\Encryption\Encrypter;
use Illuminate\Encryption\EncryptionServiceProvider;
use Symfony\Component\HttpFoundation\Cookie;
use Symfony\Component\HttpFoundation\Request;
use Symfony\Component\HttpFoundation\Response;

/** An app's EncryptCookies with `protected static $serialize = true;` (Laravel < 5.6.30). */
class SerializingEncryptCookies extends EncryptCookies
{
    protected static $serialize = true;
}

/** The provider's own APP_KEY parsing ("base64:" prefix), without an application. */
class KeyParser extends EncryptionServiceProvider
{
    public function parse($key)
    {
        return $this->parseKey(['key' => $key]);
    }
}

function encrypter(array $req): Encrypter
{
    return new Encrypter((new KeyParser(null))->parse($req['key']), $req['cipher'] ?? 'AES-256-CBC');
}

function middleware(array $req): EncryptCookies
{
    $encrypter = encrypter($req);
    return ($req['serialize'] ?? false) ? new SerializingEncryptCookies($encrypter) : new EncryptCookies($encrypter);
}

/** `value` as PHP would have it: JSON objects as arrays, or one object when `as_object`. */
function php_value(array $req)
{
    return ($req['as_object'] ?? false) ? (object) $req['value'] : $req['value'];
}

function handle(array $req): array
{
    switch ($req['op']) {
        case 'encrypt':
            return ['value' => encrypter($req)->encrypt(php_value($req), $req['serialize'] ?? true)];
        case 'encrypt_string':
            return ['value' => encrypter($req)->encryptString($req['value'])];
        case 'decrypt':
            $value = encrypter($req)->decrypt($req['value'], $req['serialize'] ?? true);
            return is_string($value) ? ['value' => $value] : ['type' => gettype($value)];
        case 'decrypt_string':
            return ['value' => encrypter($req)->decryptString($req['value'])];
        case 'prefix':
            return ['value' => CookieValuePrefix::create($req['name'], (new KeyParser(null))->parse($req['key']))];
        case 'cookie_encrypt':
            // A response that sets the cookie, through the real middleware; Symfony renders
            // the Set-Cookie header (rawurlencode of the value).
            $cookie = null;
            $response = middleware($req)->handle(Request::create('/'), function ($request) use ($req) {
                $response = new Response('');
                $response->headers->setCookie(Cookie::create($req['name'], $req['value']));
                return $response;
            });
            foreach ($response->headers->getCookies() as $c) {
                if ($c->getName() === $req['name']) {
                    $cookie = $c;
                }
            }
            return ['value' => $cookie->getValue(), 'header' => (string) $cookie];
        case 'cookie_decrypt':
            // A request carrying the cookie as the browser sent it: PHP's SAPI urldecodes
            // each Cookie header value into $_COOKIE (main/php_variables.c), done here by
            // hand since the CLI has no request. Laravel reads a cookie it cannot decrypt,
            // or whose prefix is wrong, as null.
            $seen = 'not called';
            $request = Request::create('/', 'GET', [], [$req['name'] => urldecode($req['value'])]);
            middleware($req)->handle($request, function ($request) use ($req, &$seen) {
                $seen = $request->cookies->get($req['name']);
                return new Response('');
            });
            return ['value' => $seen];
        default:
            throw new InvalidArgumentException("unknown op {$req['op']}");
    }
}

echo json_encode(['ready' => true]), "\n";
while (($line = fgets(STDIN)) !== false) {
    try {
        $answer = handle(json_decode($line, true, 512, JSON_THROW_ON_ERROR));
    } catch (Throwable $e) {
        $answer = ['error' => get_class($e) . ': ' . $e->getMessage()];
    }
    echo json_encode($answer, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE), "\n";
}
