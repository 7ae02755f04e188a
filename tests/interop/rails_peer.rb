# The real Rails 6.1 (ActiveSupport, ActionDispatch's cookie jar and CookieStore), driven by
# tests/rails/.
#
# Reads one JSON request per line on stdin, answers one JSON line each. Every request carries
# the time to pretend it is ("now", unix seconds) and the app's cookie settings; cookies are
# written and read through ActionDispatch's own jar (a request built with the env keys a Rails
# app sets), the session through the CookieStore middleware. Rails answers nil for any cookie
# it refuses: reported as {"found": false}. Exceptions are reported by class name.
#
# Rails 7.0's SHA-256 key generator ("key_generator_digest": "SHA256") is the one method
# Rails 7.0 changed, `generate_key`, copied here from its source; the jar around it is 6.1's.

require "json"

begin
  require "active_support"
  require "active_support/core_ext"
  require "active_support/json"
  require "active_support/key_generator"
  require "active_support/message_verifier"
  require "active_support/message_encryptor"
  require "active_support/messages/rotation_configuration"
  require "active_support/testing/time_helpers"
  require "action_dispatch"
  require "action_dispatch/middleware/cookies"
  require "action_dispatch/middleware/session/cookie_store"
  require "rack/mock"
rescue LoadError => e
  puts JSON.generate({ "missing" => "#{e.message}; apt-get install ruby-actionpack ruby-activesupport (Rails 6.1)" })
  exit 0
end

# Rails 7.0's KeyGenerator#generate_key, with `hash_digest_class` (SHA-256 under
# `config.load_defaults 7.0`).
class Rails7KeyGenerator < ActiveSupport::KeyGenerator
  def initialize(secret, options = {})
    super
    @hash_digest_class = options[:hash_digest_class]
  end

  def generate_key(salt, key_size = 64)
    OpenSSL::PKCS5.pbkdf2_hmac(@secret, salt, @iterations, key_size, @hash_digest_class.new)
  end
end

class Peer
  include ActiveSupport::Testing::TimeHelpers

  SIGNED = "signed cookie"
  AUTHENTICATED = "authenticated encrypted cookie"

  # Rails.application.key_generator, with the app's digest.
  def key_generator(secret_key_base, digest)
    if (digest || "SHA1") == "SHA1"
      ActiveSupport::KeyGenerator.new(secret_key_base, iterations: 1000)
    else
      Rails7KeyGenerator.new(secret_key_base, iterations: 1000, hash_digest_class: OpenSSL::Digest.const_get(digest))
    end
  end

  # What Rails::Application#env_config puts into every request, for these settings.
  def env(req, cookie = nil)
    rotations = ActiveSupport::Messages::RotationConfiguration.new
    # As the Rails 7.0 upgrade guide writes them: keys derived from an older configuration.
    (req["rotations"] || []).each do |r|
      kg = key_generator(r["secret_key_base"] || req["secret_key_base"], r["key_generator_digest"] || req["key_generator_digest"])
      signed_options = r["signed_cookie_digest"] ? { digest: r["signed_cookie_digest"] } : {}
      rotations.rotate :signed, kg.generate_key(SIGNED), **signed_options
      rotations.rotate :encrypted, kg.generate_key(AUTHENTICATED, 32)
    end
    generator = ActiveSupport::CachingKeyGenerator.new(key_generator(req["secret_key_base"], req["key_generator_digest"]))
    headers = {
      "action_dispatch.key_generator" => generator,
      "action_dispatch.secret_key_base" => req["secret_key_base"],
      "action_dispatch.signed_cookie_salt" => SIGNED,
      "action_dispatch.encrypted_cookie_salt" => "encrypted cookie",
      "action_dispatch.encrypted_signed_cookie_salt" => "signed encrypted cookie",
      "action_dispatch.authenticated_encrypted_cookie_salt" => AUTHENTICATED,
      "action_dispatch.use_authenticated_cookie_encryption" => req.fetch("authenticated", true),
      "action_dispatch.signed_cookie_digest" => req["signed_cookie_digest"],
      "action_dispatch.cookies_digest" => req["cookies_digest"],
      "action_dispatch.cookies_serializer" => (req["serializer"] || "json").to_sym,
      "action_dispatch.cookies_rotations" => rotations,
      "action_dispatch.use_cookies_with_metadata" => req.fetch("metadata", true),
    }
    headers["HTTP_COOKIE"] = cookie if cookie
    Rack::MockRequest.env_for("http://example.com/", headers)
  end

  def jar(request, kind)
    case kind
    when "signed" then request.cookie_jar.signed
    when "encrypted" then request.cookie_jar.encrypted
    else raise ArgumentError, "unknown jar #{kind}"
    end
  end

  # The value of cookie `name` in a Set-Cookie header (still escaped, as a browser keeps it).
  def set_cookie_value(header, name)
    line = Array(header).join("\n").split("\n").find { |l| l.start_with?("#{name}=") }
    line && line.split(";").first.delete_prefix("#{name}=")
  end

  def handle(req)
    travel_to(Time.at(req["now"])) { run(req) }
  end

  def run(req)
    case req["op"]
    when "write"
      request = ActionDispatch::Request.new(env(req))
      options = { value: req["value"] }
      options[:expires] = req["expires_in"].seconds if req["expires_in"]
      jar(request, req["jar"])[req["name"]] = options
      headers = {}
      request.cookie_jar.write(headers)
      { "value" => set_cookie_value(headers["Set-Cookie"], req["name"]) }
    when "read"
      request = ActionDispatch::Request.new(env(req, "#{req["name"]}=#{req["value"]}"))
      value = jar(request, req["jar"])[req["name"]]
      { "found" => !value.nil?, "value" => value }
    when "session_write", "session_read"
      session(req)
    when "verifier_generate"
      verifier(req).generate(req["value"], **metadata(req))
    when "verifier_verify"
      value = verifier(req).verified(req["value"], purpose: req["purpose"])
      { "found" => !value.nil?, "value" => value }
    when "encryptor_encrypt"
      { "value" => encryptor(req).encrypt_and_sign(req["value"], **metadata(req)) }
    when "encryptor_decrypt"
      value = encryptor(req).decrypt_and_verify(req["value"], purpose: req["purpose"])
      { "found" => !value.nil?, "value" => value }
    else
      raise ArgumentError, "unknown op #{req["op"]}"
    end
  end

  def metadata(req)
    options = {}
    options[:purpose] = req["purpose"] if req["purpose"]
    options[:expires_in] = req["expires_in"].seconds if req["expires_in"]
    options
  end

  def verifier(req)
    v = ActiveSupport::MessageVerifier.new([req["secret"]].pack("H*"), digest: req["digest"] || "SHA1", serializer: JSON)
    (req["rotations"] || []).each { |r| v.rotate([r["secret"]].pack("H*"), digest: r["digest"] || "SHA1") }
    VerifierAnswer.new(v)
  end

  # `generate` answers a String; wrapped so the op can answer JSON.
  class VerifierAnswer
    def initialize(verifier) = @verifier = verifier
    def generate(value, **options) = { "value" => @verifier.generate(value, **options) }
    def verified(value, **options) = @verifier.verified(value, **options)
  end

  def encryptor(req)
    sign_secret = req["sign_secret"] && [req["sign_secret"]].pack("H*")
    e = ActiveSupport::MessageEncryptor.new([req["secret"]].pack("H*"), sign_secret,
                                            cipher: req["cipher"] || "aes-256-gcm", digest: req["digest"], serializer: JSON)
    (req["rotations"] || []).each do |r|
      rsign = r["sign_secret"] && [r["sign_secret"]].pack("H*")
      e.rotate([r["secret"]].pack("H*"), rsign, cipher: r["cipher"] || "aes-256-gcm", digest: r["digest"])
    end
    e
  end

  # The CookieStore between ActionDispatch::Cookies and an app that writes `data` into the
  # session (session_write) or answers the session it got (session_read).
  def session(req)
    name = req["name"]
    app = lambda do |e|
      request = ActionDispatch::Request.new(e)
      (req["data"] || {}).each { |k, v| request.session[k] = v }
      [200, {}, [JSON.generate(request.session.to_hash)]]
    end
    options = { key: name }
    options[:expire_after] = req["expire_after"].seconds if req["expire_after"]
    stack = ActionDispatch::Cookies.new(ActionDispatch::Session::CookieStore.new(app, options))
    cookie = req["value"] && "#{name}=#{req["value"]}"
    _, headers, body = stack.call(env(req, cookie))
    data = JSON.parse(body.each.to_a.join)
    { "value" => set_cookie_value(headers["Set-Cookie"], name), "data" => data }
  end
end

peer = Peer.new
puts JSON.generate({ "ready" => true })
$stdout.flush
$stdin.each_line do |line|
  request = JSON.parse(line)
  answer = begin
    peer.handle(request)
  rescue StandardError => e
    { "error" => e.class.name, "message" => e.message }
  end
  puts JSON.generate(answer)
  $stdout.flush
end
