// Fuzzes the bundled connector plugins through the loader, as the host runs them: every payload
// of ../shared/fixtures/<platform>/ (Paddle: tests/fixtures/paddle/) is mutated 20,000 times (deterministically: one fixed seed
// per file), signed correctly so verification passes and parsing is exercised, then verified
// and normalized, answering sync requests with canned responses that are mutated too. A plugin
// must never crash, never throw across the boundary (plugin_exception) and never emit output the
// host cannot read (plugin_invalid_output): every failure is a parse error with a known code.
#include <recoup/json.hpp>
#include <recoup/plugin/loader.hpp>
#include <recoup/signature.hpp>

#define BOOST_TEST_MODULE connector_fuzz
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;
namespace json = boost::json;
namespace utf = boost::unit_test;

namespace {

constexpr int default_mutations_per_file = 20000;
constexpr int max_sync_rounds = 4;
constexpr int reported_per_file = 3; // failures shown in full per payload; the rest are counted
const recoup::time_point fuzz_now = recoup::from_unix_seconds(1767225600);


// RECOUP_FUZZ_MUTATIONS overrides the count for a quick local run.
int mutations_per_file()
{
    const char* v = std::getenv("RECOUP_FUZZ_MUTATIONS");
    return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : default_mutations_per_file;
}

using recoup_test::env_dir;
using recoup_test::read_file;

// FNV-1a: a seed that depends only on the payload's name, so every run mutates alike.
std::uint64_t seed_of(std::string_view name)
{
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
    return h;
}

// ---------------------------------------------------------------------------------------------
// Mutations

class mutator {
public:
    explicit mutator(std::uint64_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }
    bool one_in(std::size_t n) { return below(n) == 0; }

    // One to three mutations of one family: structural edits of the parsed document (which reach
    // the connector's field handling), or byte edits (which mostly reach the JSON parser).
    // `parsed` is `text` already parsed, or null when it does not parse.
    std::string mutate(std::string text, const json::value* parsed)
    {
        const std::size_t count = 1 + below(3);
        if (parsed != nullptr && below(100) < 55) {
            json::value doc = *parsed;
            for (std::size_t i = 0; i < count; ++i) structural(doc);
            text = json::serialize(doc);
            if (one_in(8)) bytes(text);
            return text;
        }
        for (std::size_t i = 0; i < count; ++i) bytes(text);
        return text;
    }

private:
    static constexpr std::string_view significant = "\"{}[],:0-e.\\ ntf";
    static constexpr std::array<std::string_view, 10> tokens{
        "null", "-", "1e999", "\"", "\\u", "{", "[]", "-0", "\"\":", "\\ud800"};

    void bytes(std::string& s)
    {
        const std::size_t pos = below(s.size() + 1);
        switch (below(7)) {
        case 0: // flip a bit
            if (!s.empty()) s[pos % s.size()] ^= static_cast<char>(1u << below(8));
            break;
        case 1: // replace a byte with a JSON-significant one
            if (!s.empty()) s[pos % s.size()] = significant[below(significant.size())];
            break;
        case 2: // insert a byte, a significant one or a token
            if (one_in(3)) s.insert(pos, 1, static_cast<char>(below(256)));
            else if (one_in(2)) s.insert(pos, 1, significant[below(significant.size())]);
            else s.insert(pos, tokens[below(tokens.size())]);
            break;
        case 3: // delete a range
            s.erase(std::min(pos, s.size()), 1 + below(one_in(4) ? 256 : 16));
            break;
        case 4: { // duplicate a range somewhere
            const std::size_t from = below(s.size());
            const std::string piece = s.substr(from, 1 + below(64));
            s.insert(below(s.size() + 1), piece);
            break;
        }
        case 5: // truncate
            s.resize(below(s.size()));
            break;
        default: // replace a byte with anything
            if (!s.empty()) s[pos % s.size()] = static_cast<char>(below(256));
            break;
        }
    }

    // A value of another type or an awkward value of the same type.
    json::value replacement(const json::value& old)
    {
        static const std::array<std::string_view, 14> strings{
            "", "x", "USD", "usd", "XXX", "-1", "1e3", "2026-13-45T99:99:99Z", "NaN", "null",
            "a/b/../c?d=e", "\xC3\xBC" "n" "\xC3\xAF" "c" "\xC3\xB6" "d" "\xC3\xA9", std::string_view("nul\0byte", 8),
            "0123456789012345678901234567890123456789012345678901234567890123456789"};
        switch (below(12)) {
        case 0: return nullptr;
        case 1: return std::int64_t(0);
        case 2: return std::int64_t(-1);
        case 3: return std::numeric_limits<std::int64_t>::max();
        case 4: return std::numeric_limits<std::uint64_t>::max();
        case 5: return one_in(2) ? 1.5 : 1e308;
        case 6: return json::string(strings[below(strings.size())]);
        case 7: return one_in(2);
        case 8: return one_in(2) ? json::value(json::array{}) : json::value(json::array{old, old});
        case 9: return one_in(2) ? json::value(json::object{}) : json::value(json::object{{"id", old}});
        case 10: return old.is_string() ? json::value(std::string(old.get_string()) + "x") : json::value("1");
        default: return std::numeric_limits<std::int64_t>::min();
        }
    }

    struct slot {
        json::value* value;
        json::object* parent_object; // to delete the key
        json::array* parent_array;   // to delete the element
        std::string_view key;
        std::size_t index;
    };

    static void collect(json::value& v, std::vector<slot>& out)
    {
        if (auto* o = v.if_object()) {
            for (auto& kv : *o) {
                out.push_back({&kv.value(), o, nullptr, kv.key(), 0});
                collect(kv.value(), out);
            }
        } else if (auto* a = v.if_array()) {
            for (std::size_t i = 0; i < a->size(); ++i) {
                out.push_back({&(*a)[i], nullptr, a, {}, i});
                collect((*a)[i], out);
            }
        }
    }

    // Swaps a value for another type, deletes it, or copies another value over it: the shapes a
    // type-confused or truncated platform payload takes.
    void structural(json::value& doc)
    {
        std::vector<slot> slots;
        collect(doc, slots);
        if (slots.empty()) {
            doc = replacement(doc);
            return;
        }
        // Scalars (strings above all) are where the fields are; prefer them.
        slot s = slots[below(slots.size())];
        for (int tries = 0; tries < 3 && !s.value->is_string(); ++tries) s = slots[below(slots.size())];
        const std::size_t op = below(8);
        if (op == 0 && s.parent_object != nullptr) {
            s.parent_object->erase(std::string(s.key));
        } else if (op == 0 && s.parent_array != nullptr) {
            s.parent_array->erase(s.parent_array->begin() + static_cast<std::ptrdiff_t>(s.index));
        } else if (op == 1) {
            *s.value = json::value(*slots[below(slots.size())].value); // may copy an ancestor: fine
        } else {
            *s.value = replacement(*s.value);
        }
    }

    std::mt19937_64 rng_;
};

// ---------------------------------------------------------------------------------------------
// Platforms

struct platform {
    std::string_view plugin;   // recoup_<plugin>.so
    std::string_view fixtures; // $RECOUP_SHARED_FIXTURES/<fixtures>/
    std::vector<std::string> secrets;
    std::function<std::vector<std::pair<std::string, std::string>>(const std::string& body)> sign;
    const char* root = "RECOUP_SHARED_FIXTURES"; // the project's own payloads: RECOUP_TEST_FIXTURES
};

platform chargebee()
{
    return {"chargebee", "chargebee", {"fuzz_user:fuzz-Pass-1"}, [](const std::string&) {
                return std::vector<std::pair<std::string, std::string>>{
                    {"Content-Type", "application/json"},
                    {"Authorization", recoup::basic_auth_value("fuzz_user", "fuzz-Pass-1")}};
            }};
}

platform recurly()
{
    return {"recurly", "recurly", {"fuzz_recurly_secret"}, [](const std::string& body) {
                return std::vector<std::pair<std::string, std::string>>{
                    {"Content-Type", "application/json"},
                    {"recurly-signature", recoup::sign_recurly(body, "fuzz_recurly_secret", fuzz_now)}};
            }};
}

platform stripe_billing()
{
    return {"stripe_billing", "stripe", {"whsec_fuzz_stripe_secret"}, [](const std::string& body) {
                return std::vector<std::pair<std::string, std::string>>{
                    {"Content-Type", "application/json; charset=utf-8"},
                    {"Stripe-Signature", recoup::sign_stripe(body, "whsec_fuzz_stripe_secret", fuzz_now)}};
            }};
}

platform paddle()
{
    return {"paddle", "paddle", {"pdl_ntfset_fuzz_secret"}, [](const std::string& body) {
                std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
                for (auto& h : recoup::sign_hmac(recoup::paddle_scheme, body, "pdl_ntfset_fuzz_secret", fuzz_now))
                    headers.emplace_back(std::move(h.name), std::move(h.value));
                return headers;
            }, "RECOUP_TEST_FIXTURES"};
}

fs::path plugin_path(std::string_view name)
{
    return recoup_test::bundled_plugin(name);
}

// Skips (rather than fails) a plugin that has not been written yet.
struct plugin_built {
    std::string_view name;
    boost::test_tools::assertion_result operator()(utf::test_unit_id) const
    {
        boost::test_tools::assertion_result r(fs::exists(plugin_path(name)));
        if (!r) {
            r.message() << plugin_path(name).string() << " does not exist yet";
            std::cout << "fuzz_" << name << ": skipped, " << plugin_path(name).string() << " does not exist yet"
                      << std::endl;
        }
        return r;
    }
};

// The canned responses the sync loop answers with, by path; mutated half of the time.
struct canned_bodies {
    std::string recurly_transaction, recurly_invoice, stripe_charge;
    json::value parsed_transaction, parsed_invoice, parsed_charge;

    canned_bodies()
    {
        const auto dir = env_dir("RECOUP_TEST_FIXTURES") / "fuzz";
        recurly_transaction = read_file(dir / "recurly_transaction.json");
        recurly_invoice = read_file(dir / "recurly_invoice.json");
        stripe_charge = read_file(dir / "stripe_charge.json");
        parsed_transaction = json::parse(recurly_transaction);
        parsed_invoice = json::parse(recurly_invoice);
        parsed_charge = json::parse(stripe_charge);
    }

    recoup::http_response answer(const recoup::outbound_request& r, mutator& m) const
    {
        const std::string* body = nullptr;
        const json::value* parsed = nullptr;
        if (r.path.find("/transactions/") != std::string::npos) body = &recurly_transaction, parsed = &parsed_transaction;
        else if (r.path.find("/invoices/") != std::string::npos) body = &recurly_invoice, parsed = &parsed_invoice;
        else if (r.path.find("/charges/") != std::string::npos) body = &stripe_charge, parsed = &parsed_charge;
        if (body == nullptr) return {404, {}, R"({"error":{"type":"not_found"}})"};
        recoup::http_response out{200, {{"Content-Type", "application/json"}}, *body};
        if (m.one_in(16)) out.status = m.one_in(2) ? 404 : 500;
        if (m.one_in(2)) out.body = m.mutate(*body, parsed);
        return out;
    }
};

// What a plugin may answer for a broken payload: the parse and normalization codes.
bool acceptable(recoup::error code)
{
    recoup::error known{};
    if (!recoup::from_string(recoup::to_string(code), known)) return false;
    const int n = static_cast<int>(code);
    return (n >= 200 && n < 300) || code == recoup::error::not_supported;
}

std::string excerpt(std::string_view body)
{
    std::string out;
    for (unsigned char c : body.substr(0, 400)) {
        if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return body.size() > 400 ? out + "..." : out;
}

struct tally {
    int normalized = 0;
    int unsupported = 0;
    int bad = 0;
    std::map<std::string, int> errors;
};

void fuzz_payload(const recoup::plugin::dynamic_connector& connector, const platform& p, const fs::path& file,
                  const canned_bodies& canned, int count)
{
    const std::string name = std::string(p.fixtures) + "/" + file.filename().string();
    const std::string original = read_file(file);
    json::value parsed_original;
    {
        boost::system::error_code ec;
        parsed_original = json::parse(original, ec);
    }
    const std::uint64_t seed = seed_of(name);
    mutator m(seed);
    tally t;
    const auto started = std::chrono::steady_clock::now();

    // RECOUP_FUZZ_DUMP_DIR keeps every misbehaving body whole, to replay it by hand.
    const char* dump_dir = std::getenv("RECOUP_FUZZ_DUMP_DIR");
    const auto report = [&](int i, const std::string& body, const std::string& what) {
        if (++t.bad <= reported_per_file)
            BOOST_ERROR(name << " (seed " << seed << ", mutation " << i << "): " << what << "\n  body: " << excerpt(body));
        if (dump_dir != nullptr)
            std::ofstream(fs::path(dump_dir) / (std::string(p.fixtures) + "_" + file.stem().string() + "_" +
                                                std::to_string(i) + ".body"),
                          std::ios::binary)
                << body;
    };

    const json::object charge_sync_on{{"charge_sync", true}};
    const json::object no_settings;
    for (int i = 0; i < count; ++i) {
        recoup::owned_request req;
        req.path = "/v2/webhooks/revenue_recovery/pro_fuzz/mca_" + std::string(p.plugin);
        req.body = m.mutate(original, parsed_original.is_null() ? nullptr : &parsed_original);
        req.headers = p.sign(req.body);
        recoup::mca_config mca;
        mca.secrets = p.secrets;
        mca.api_key = "fuzz_api_key";
        mca.settings = (i % 2 == 0) ? &charge_sync_on : &no_settings; // both Stripe paths
        const auto view = req.view();

        const auto verified = connector.verify_source(view, mca, fuzz_now);
        if (!verified.has_value() && !verified.has_error()) report(i, req.body, "verify_source returned neither");
        if (verified.has_error()) report(i, req.body, "a correctly signed body did not verify: " + verified.error().what());

        std::vector<recoup::sync_exchange> exchanges;
        auto normalized = recoup::normalize(connector, view, mca, exchanges);
        int rounds = 0;
        while (normalized.has_value() && !normalized->sync_requests.empty() && rounds++ < max_sync_rounds) {
            for (const auto& r : normalized->sync_requests) exchanges.push_back({r, canned.answer(r, m)});
            normalized = recoup::normalize(connector, view, mca, exchanges);
        }
        if (!normalized.has_value() && !normalized.has_error()) {
            report(i, req.body, "normalize returned neither a value nor an error");
        } else if (normalized.has_error()) {
            const auto& f = normalized.error();
            ++t.errors[std::string(recoup::to_string(f.code))];
            if (!acceptable(f.code))
                report(i, req.body, "unexpected error " + std::string(recoup::to_string(f.code)) + " (" +
                                        std::to_string(static_cast<int>(f.code)) + "): " + f.what());
        } else if (!normalized->sync_requests.empty()) {
            report(i, req.body, "still asking for sync requests after " + std::to_string(max_sync_rounds) + " rounds");
        } else if (normalized->event_type == recoup::incoming_webhook_event::event_not_supported) {
            ++t.unsupported;
        } else {
            ++t.normalized;
            if (!normalized->invoice) report(i, req.body, "a consumed event without an invoice");
        }
    }

    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    std::ostringstream line;
    line << name << ": " << count << " mutations in " << ms.count() << " ms; " << t.normalized << " normalized, "
         << t.unsupported << " not supported";
    for (const auto& [code, n] : t.errors) line << ", " << code << " " << n;
    std::cout << line.str() << std::endl;
    BOOST_TEST(t.bad == 0, name << ": " << t.bad << " of " << count << " mutations misbehaved (first ones above)");
}

void fuzz_platform(const platform& p)
{
    auto connector = recoup::plugin::load_connector(plugin_path(p.plugin));
    BOOST_TEST_REQUIRE(connector.has_value(), (connector ? std::string() : connector.error().what()));
    auto dir = env_dir(p.root) / std::string(p.fixtures);
    if (!fs::is_directory(dir)) { // a clone without ../shared: the project's own payloads
        dir = env_dir("RECOUP_TEST_FIXTURES") / std::string(p.plugin);
        std::clog << "fuzz " << p.plugin << ": the public fixtures are absent; mutating " << dir.string() << '\n';
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    BOOST_TEST_REQUIRE(!files.empty(), "no payloads in " << dir.string());

    const canned_bodies canned;
    const int count = mutations_per_file();
    for (const auto& file : files) fuzz_payload(*connector, p, file, canned, count);
}

} // namespace

BOOST_AUTO_TEST_CASE(fuzz_chargebee, *utf::precondition(plugin_built{"chargebee"}))
{
    fuzz_platform(chargebee());
}

BOOST_AUTO_TEST_CASE(fuzz_recurly, *utf::precondition(plugin_built{"recurly"}))
{
    fuzz_platform(recurly());
}

BOOST_AUTO_TEST_CASE(fuzz_stripe_billing, *utf::precondition(plugin_built{"stripe_billing"}))
{
    fuzz_platform(stripe_billing());
}

BOOST_AUTO_TEST_CASE(fuzz_paddle, *utf::precondition(plugin_built{"paddle"}))
{
    fuzz_platform(paddle());
}
