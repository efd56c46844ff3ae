#include "conformance/conformance.hpp"
#include "conformance/signing.hpp"

#include <recoup/json.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>

namespace recoupd::conformance {

namespace {

namespace fs = std::filesystem;

// Keys a case file may carry without being compared: notes for the reader.
bool is_note(std::string_view key)
{
    return key == "description" || key == "comment" || key.starts_with("_");
}

// Bodies are used byte-exact: signatures are computed over them.
std::string read_file(const fs::path& path, std::string_view what)
{
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw malformed_case(std::string(what) + ": cannot read \"" + path.string() + "\": " + std::strerror(errno));
    std::string out;
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.append(buf, n);
    if (std::ferror(f.get()))
        throw malformed_case(std::string(what) + ": cannot read \"" + path.string() + "\": " + std::strerror(errno));
    return out;
}

// Case files are written by people: comments and trailing commas are fine, errors say where.
json::object read_json_object(const fs::path& path, std::string_view what)
{
    const std::string text = read_file(path, what);
    json::parse_options opt;
    opt.allow_comments = true;
    opt.allow_trailing_commas = true;
    json::stream_parser p({}, opt);
    boost::system::error_code ec;
    const std::size_t used = p.write(text.data(), text.size(), ec);
    if (!ec) p.finish(ec);
    if (ec) {
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i < std::min(used, text.size()); ++i) {
            if (text[i] == '\n') ++line, column = 1;
            else ++column;
        }
        throw malformed_case(std::string(what) + ": invalid JSON at line " + std::to_string(line) + ", column " +
                             std::to_string(column) + ": " + ec.message());
    }
    json::value v = p.release();
    if (!v.is_object()) throw malformed_case(std::string(what) + ": expected a JSON object");
    return std::move(v.get_object());
}

[[noreturn]] void bad(std::string_view file, std::string_view key, std::string_view problem)
{
    throw malformed_case(std::string(file) + ": \"" + std::string(key) + "\" " + std::string(problem));
}

std::string string_at(const json::object& o, std::string_view key, std::string_view file, std::string fallback)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr) return fallback;
    if (!v->is_string()) bad(file, key, "must be a string");
    return std::string(v->get_string());
}

// {"Name": "value"} or [["Name", "value"], ...] (the array form allows duplicates).
std::vector<recoup::http_header> headers_at(const json::object& o, std::string_view key, std::string_view file)
{
    std::vector<recoup::http_header> out;
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return out;
    if (v->is_object()) {
        for (const auto& [name, value] : v->get_object()) {
            if (!value.is_string()) bad(file, std::string(key) + "." + std::string(name), "must be a string");
            out.push_back({std::string(name), std::string(value.get_string())});
        }
        return out;
    }
    if (!v->is_array()) bad(file, key, "must be an object or an array of [name, value] pairs");
    for (const auto& pair : v->get_array()) {
        const auto* a = pair.if_array();
        if (a == nullptr || a->size() != 2 || !(*a)[0].is_string() || !(*a)[1].is_string())
            bad(file, key, "must be an object or an array of [name, value] pairs");
        out.push_back({std::string((*a)[0].get_string()), std::string((*a)[1].get_string())});
    }
    return out;
}

// "body_file" (relative to the case directory, read byte-exact) or an inline "body" string.
std::string body_at(const json::object& o, const fs::path& dir, std::string_view file, std::string_view where)
{
    if (const auto* f = o.if_contains("body_file")) {
        if (!f->is_string() || f->get_string().empty()) bad(file, std::string(where) + "body_file", "must be a file name");
        return read_file(dir / std::string(f->get_string()), std::string(file) + ": " + std::string(where) + "body_file");
    }
    if (const auto* b = o.if_contains("body")) {
        if (!b->is_string()) bad(file, std::string(where) + "body", "must be a string");
        return std::string(b->get_string());
    }
    bad(file, std::string(where) + "body_file", "is missing");
}

void check_keys(const json::object& o, std::initializer_list<std::string_view> known, std::string_view file)
{
    for (const auto& [key, value] : o) {
        if (is_note(key)) continue;
        if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
            std::string list;
            for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            bad(file, key, "is not a known key (known: " + list + ")");
        }
    }
}

canned_response canned_at(const json::value& v, const fs::path& dir, const std::string& where)
{
    constexpr std::string_view file = "request.json";
    const auto* o = v.if_object();
    if (o == nullptr) bad(file, where, "must be an object {\"status\": N, \"body_file\": \"...\"}");
    check_keys(*o, {"status", "headers", "body_file", "body"}, file);
    canned_response r;
    if (const auto* s = o->if_contains("status")) {
        if (!s->is_int64() || s->get_int64() < 100 || s->get_int64() > 599) bad(file, where + ".status", "must be an HTTP status");
        r.status = static_cast<int>(s->get_int64());
    }
    r.headers = headers_at(*o, "headers", file);
    r.body = body_at(*o, dir, file, where + ".");
    return r;
}

recoup::time_point now_at(const json::object& o)
{
    const auto* v = o.if_contains("now");
    if (v == nullptr) return recoup::system_clock{}.now();
    if (!v->is_int64() && !v->is_uint64()) bad("request.json", "now", "must be unix seconds (an integer)");
    return recoup::from_unix_seconds(v->to_number<std::int64_t>());
}

// "sign": {"scheme": "paddle", "secret"?, "at"?, "id"?, <hmac settings>?}: the headers that make
// the body verify, added to the request; the secret defaults to the case's first, `at` to "now".
void add_signature(test_case& c, const json::value& v)
{
    constexpr std::string_view file = "request.json";
    const auto* o = v.if_object();
    if (o == nullptr) bad(file, "sign", "must be an object {\"scheme\": \"...\", ...}");
    std::string scheme_name, secret = c.secrets.empty() ? std::string() : c.secrets.front(), id;
    auto at = c.now;
    std::map<std::string, std::string, std::less<>> overrides;
    for (const auto& [key, value] : *o) {
        if (is_note(key)) continue;
        const std::string where = "sign." + std::string(key);
        if (key == "at") {
            if (!value.is_int64() && !value.is_uint64()) bad(file, where, "must be unix seconds (an integer)");
            at = recoup::from_unix_seconds(value.to_number<std::int64_t>());
            continue;
        }
        if (!value.is_string()) bad(file, where, "must be a string");
        const std::string text(value.get_string());
        if (key == "scheme") scheme_name = text;
        else if (key == "secret") secret = text;
        else if (key == "id") id = text;
        else overrides[std::string(key)] = text;
    }
    if (scheme_name.empty()) bad(file, "sign.scheme", std::string("is missing (one of ") + std::string(signing::scheme_names) + ")");
    if (secret.empty()) bad(file, "sign.secret", "is missing and the case has no \"secrets\"");
    try {
        const auto scheme = signing::scheme::make(scheme_name, overrides);
        if (scheme.needs_id() && id.empty()) bad(file, "sign.id", "is missing: the scheme signs a message id");
        for (auto& h : scheme.sign(c.request.body, secret, at, id))
            c.request.headers.emplace_back(std::move(h.name), std::move(h.value));
    } catch (const std::invalid_argument& e) {
        bad(file, "sign", std::string("cannot sign: ") + e.what());
    }
}

json::value error_json(const recoup::failure& f)
{
    json::object e;
    e["kind"] = recoup::to_string(f.code);
    e["field"] = f.field; // "" when the failure names no field
    e["message"] = f.detail;
    return e;
}

std::string compact(const json::value* v)
{
    return v == nullptr ? std::string("null") : json::serialize(*v);
}

bool same_number(const json::value& a, const json::value& b)
{
    if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>();
    if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
    if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
    // One signed, one unsigned: equal only when the signed one is not negative.
    const auto& s = a.is_int64() ? a : b;
    const auto& u = a.is_int64() ? b : a;
    return s.get_int64() >= 0 && static_cast<std::uint64_t>(s.get_int64()) == u.get_uint64();
}

std::string child(const std::string& path, std::string_view key)
{
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

} // namespace

recoup::mca_config test_case::mca() const
{
    recoup::mca_config m;
    m.secrets = secrets;
    m.api_key = api_key;
    m.settings = &settings;
    return m;
}

const canned_response* test_case::answer(const recoup::outbound_request& r) const
{
    auto it = sync_responses.find(detail::describe(r));
    return it == sync_responses.end() ? nullptr : &it->second;
}

test_case load_case(const std::filesystem::path& dir, std::string name)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw malformed_case("\"" + dir.string() + "\" is not a case directory");
    const auto req = read_json_object(dir / "request.json", "request.json");
    constexpr std::string_view file = "request.json";
    check_keys(req, {"method", "path", "query", "headers", "body_file", "body", "secrets", "api_key", "settings",
                     "now", "sync_responses", "sign"}, file);

    test_case c;
    c.name = std::move(name);
    c.request.method = string_at(req, "method", file, "POST");
    c.request.path = string_at(req, "path", file, "/");
    c.request.query = string_at(req, "query", file, "");
    if (const auto q = c.request.path.find('?'); q != std::string::npos && c.request.query.empty()) {
        c.request.query = c.request.path.substr(q + 1);
        c.request.path.resize(q);
    }
    for (auto& h : headers_at(req, "headers", file)) c.request.headers.emplace_back(std::move(h.name), std::move(h.value));
    c.request.body = body_at(req, dir, file, "");

    if (const auto* s = req.if_contains("secrets")) {
        const auto* arr = s->if_array();
        if (arr == nullptr) bad(file, "secrets", "must be an array of strings");
        for (const auto& secret : *arr) {
            if (!secret.is_string()) bad(file, "secrets", "must be an array of strings");
            c.secrets.emplace_back(secret.get_string());
        }
    }
    c.api_key = string_at(req, "api_key", file, "");
    if (const auto* s = req.if_contains("settings")) {
        if (!s->is_object()) bad(file, "settings", "must be an object");
        c.settings = s->get_object();
    }
    c.now = now_at(req);
    if (const auto* s = req.if_contains("sign")) add_signature(c, *s);
    if (const auto* s = req.if_contains("sync_responses")) {
        if (!s->is_object()) bad(file, "sync_responses", "must be an object {\"<METHOD> <path>\": {...}}");
        for (const auto& [key, value] : s->get_object())
            c.sync_responses.emplace(std::string(key), canned_at(value, dir, "sync_responses." + std::string(key)));
    }

    c.expected = read_json_object(dir / "expected.json", "expected.json");
    if (const auto* v = c.expected.if_contains("verified"); v && !v->is_bool())
        bad("expected.json", "verified", "must be true or false");
    return c;
}

namespace detail {

std::string describe(const recoup::outbound_request& r)
{
    return r.method + " " + r.path;
}

recoup::sync_exchange exchange(const recoup::outbound_request& r, const canned_response& answer)
{
    return {r, recoup::http_response{answer.status, answer.headers, answer.body}};
}

void record_normalized(observation& o, const recoup::result<recoup::normalized_webhook>& r)
{
    if (r) {
        auto doc = json::value_from(*r).as_object();
        // An event the connector does not consume has no reference: show it as absent.
        if (r->object_reference_id.empty()) doc["object_reference_id"] = nullptr;
        for (auto& [key, value] : doc) o.actual[key] = std::move(value);
    } else {
        o.normalize_failure = r.error();
    }
    if (o.verify_failure) o.actual["error"] = error_json(*o.verify_failure);
    else if (o.normalize_failure) o.actual["error"] = error_json(*o.normalize_failure);
}

} // namespace detail

std::optional<std::string> first_mismatch(const json::value& expected, const json::value* actual,
                                          const std::string& path)
{
    const auto differ = [&] {
        return std::optional<std::string>(path + ": expected " + compact(&expected) + ", got " + compact(actual));
    };
    if (expected.is_null()) return actual == nullptr || actual->is_null() ? std::nullopt : differ();
    if (actual == nullptr) return differ();
    if (const auto* e = expected.if_object()) {
        const auto* a = actual->if_object();
        if (a == nullptr) return differ();
        for (const auto& [key, value] : *e)
            if (auto m = first_mismatch(value, a->if_contains(key), child(path, key))) return m;
        return std::nullopt;
    }
    if (const auto* e = expected.if_array()) {
        const auto* a = actual->if_array();
        if (a == nullptr || a->size() != e->size()) return differ();
        for (std::size_t i = 0; i < e->size(); ++i)
            if (auto m = first_mismatch((*e)[i], &(*a)[i], path + "[" + std::to_string(i) + "]")) return m;
        return std::nullopt;
    }
    if (expected.is_number()) return actual->is_number() && same_number(expected, *actual) ? std::nullopt : differ();
    return expected == *actual ? std::nullopt : differ();
}

verdict judge(const test_case& c, const observation& o)
{
    // Verification first: a case that does not say otherwise expects a genuine delivery.
    const bool verified = !o.verify_failure;
    const auto* want = c.expected.if_contains("verified");
    const bool want_verified = want == nullptr || want->get_bool();
    if (verified != want_verified) {
        std::string reason = std::string("verified: expected ") + (want_verified ? "true" : "false") + ", got " +
                             (verified ? "true" : "false");
        if (o.verify_failure) reason += " (" + o.verify_failure->what() + ")";
        return {false, reason};
    }
    // A rejected delivery is never normalized by the host: the sync loop only matters when the
    // case asks about the normalized result.
    const bool asks_more = std::any_of(c.expected.begin(), c.expected.end(), [](const auto& kv) {
        return kv.key() != "verified" && kv.key() != "error" && !is_note(kv.key());
    });
    if (o.problem && (verified || asks_more)) return {false, *o.problem};
    // An unexpected normalization failure says why, rather than "event_type: expected X, got null".
    if (verified && o.normalize_failure && !c.expected.contains("error"))
        return {false, "error: expected null, got \"" + std::string(recoup::to_string(o.normalize_failure->code)) +
                           "\" (" + o.normalize_failure->what() + ")"};
    for (const auto& [key, value] : c.expected) {
        if (key == "verified" || is_note(key)) continue;
        if (auto m = first_mismatch(value, o.actual.if_contains(key), std::string(key))) return {false, *m};
    }
    return {true, {}};
}

std::string format_line(std::string_view name, const verdict& v)
{
    std::string line = (v.passed ? "PASS " : "FAIL ") + std::string(name);
    if (!v.passed) {
        std::string reason = v.reason;
        // One line per case, whatever the failure text holds.
        for (auto& ch : reason)
            if (ch == '\n' || ch == '\r') ch = ' ';
        line += ": " + reason;
    }
    return line;
}

} // namespace recoupd::conformance
