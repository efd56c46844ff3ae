// libFuzzer target: the typed JSON readers (wire.hpp, wire_fields.hpp) and the domain's JSON form
// (json.hpp) over arbitrary bytes. Each reader runs on its own, one level below the root (so
// failures carry a path), from the same parsed document. Invariants: a failure is an input (2xx)
// code naming a path under the reader's key; a value read is valid (known currency, non-negative
// minor units, a reference id of [A-Za-z0-9_-]{1,64}); a domain value read from JSON writes back
// to JSON that reads to the same value.
#include <recoup/json.hpp>
#include <recoup/wire.hpp>
#include <recoup/wire_fields.hpp>

#include "fuzz_support.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace json = boost::json;
namespace wire = recoup::wire;
using recoup_fuzz::check;

namespace {

// One reader applied to the object under "x" (so every failure path starts with "x").
struct fields {
    recoup::currency currency{};
    std::optional<std::int64_t> minor, string_minor, at;
    recoup::merchant_reference_id id;
    std::optional<recoup::address> address;
};

enum class reader { currency, minor, string_minor, iso8601, reference, address, address_value };

template <reader R>
struct one {
    fields f;
};

template <reader R>
one<R> tag_invoke(const json::value_to_tag<one<R>>&, const json::value& jv)
{
    static constexpr wire::address_keys stripe_keys{.line3 = {}, .zip = "postal_code"};
    const auto& o = wire::as_object(jv);
    one<R> out;
    if constexpr (R == reader::currency) out.f.currency = wire::read_currency(o, "c");
    if constexpr (R == reader::minor) out.f.minor = wire::optional_minor_units(o, "m");
    if constexpr (R == reader::string_minor) out.f.string_minor = wire::optional_string_minor_units(o, "m");
    if constexpr (R == reader::iso8601) out.f.at = wire::optional_iso8601(o, "t");
    if constexpr (R == reader::reference) out.f.id = wire::read_reference_id(o, "id");
    if constexpr (R == reader::address) out.f.address = wire::optional_address(o, "a", stripe_keys);
    if constexpr (R == reader::address_value) out.f.address = wire::read_address(jv);
    return out;
}

template <reader R>
struct under_x {
    one<R> x;
};

template <reader R>
under_x<R> tag_invoke(const json::value_to_tag<under_x<R>>&, const json::value& jv)
{
    return {wire::required<one<R>>(wire::as_object(jv), "x")};
}

bool valid_reference(const std::string& s)
{
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    return true;
}

template <reader R>
void read_one(const json::value& doc)
{
    const auto r = wire::convert<under_x<R>>(doc);
    if (!r) {
        check(recoup_fuzz::is_input_error(r.error().code), "reader failed with a non-input code", r.error().what());
        check(r.error().field.empty() || r.error().field.starts_with("x"), "failure path not under its key",
              r.error().field);
        return;
    }
    const auto& f = r->x.f;
    if constexpr (R == reader::currency) recoup_fuzz::check_currency(f.currency, "read currency unknown");
    if constexpr (R == reader::minor) check(!f.minor || *f.minor >= 0, "negative minor units read");
    if constexpr (R == reader::string_minor) check(!f.string_minor || *f.string_minor >= 0, "negative string minor units");
    if constexpr (R == reader::reference) check(valid_reference(f.id.str()), "invalid reference id read", f.id.str());
}

// A domain value that reads from JSON writes back to JSON that reads to the same JSON again.
template <class T>
void domain_round_trip(const json::value& doc)
{
    const auto r = wire::convert<T>(doc);
    if (!r) {
        check(recoup_fuzz::is_input_error(r.error().code), "domain read failed with a non-input code",
              r.error().what());
        return;
    }
    const json::value written = json::value_from(*r);
    const auto again = wire::convert<T>(written);
    check(again.has_value(), "written domain JSON does not read back",
          again ? std::string_view{} : std::string_view(again.error().what()));
    check(json::value_from(*again) == written, "domain JSON changes on a second round trip", json::serialize(written));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto body = recoup_fuzz::as_text(data, size);
    const auto parsed = wire::parse_as<json::value>(body);
    if (!parsed) {
        check(parsed.error().code == recoup::error::body_not_json, "unparsable body is not body_not_json");
        return 0;
    }
    const json::value& doc = *parsed;
    read_one<reader::currency>(doc);
    read_one<reader::minor>(doc);
    read_one<reader::string_minor>(doc);
    read_one<reader::iso8601>(doc);
    read_one<reader::reference>(doc);
    read_one<reader::address>(doc);
    read_one<reader::address_value>(doc);
    domain_round_trip<recoup::recovery_invoice>(doc);
    domain_round_trip<recoup::recovery_attempt>(doc);
    domain_round_trip<recoup::normalized_webhook>(doc);
    domain_round_trip<recoup::record_back_request>(doc);
    domain_round_trip<recoup::outbound_request>(doc);
    return 0;
}
