#pragma once

RECOUP_BEGIN_NAMESPACE

namespace wire {

namespace detail {

// An empty key is a part the platform does not send: nothing to read.
inline std::optional<std::string> optional_part(const json::object& o, std::string_view key)
{
    if (key.empty()) return std::nullopt;
    return optional<std::string>(o, key);
}

} // namespace detail

inline currency read_currency(const json::object& o, std::string_view key)
{
    return unwrap(parse_currency(required<std::string>(o, key), key));
}

inline std::optional<std::int64_t> optional_minor_units(const json::object& o, std::string_view key)
{
    auto v = optional<std::int64_t>(o, key);
    if (v) unwrap(checked_minor_units(*v, key));
    return v;
}

inline std::optional<std::int64_t> optional_string_minor_units(const json::object& o, std::string_view key)
{
    auto text = optional<std::string>(o, key);
    if (!text) return std::nullopt;
    return unwrap(string_to_minor_units(*text, key));
}

inline std::optional<std::int64_t> optional_iso8601(const json::object& o, std::string_view key)
{
    auto text = optional<std::string>(o, key);
    if (!text) return std::nullopt;
    auto seconds = parse_iso8601(*text);
    if (!seconds) raise(error::invalid_field, std::string(key), "expected ISO 8601 date-time");
    return seconds;
}

inline merchant_reference_id read_reference_id(const json::object& o, std::string_view key)
{
    return unwrap(merchant_reference_id::make(required<std::string>(o, key), key));
}

inline address read_address(const json::value& v, const address_keys& keys)
{
    const auto& o = as_object(v);
    address a;
    a.first_name = detail::optional_part(o, keys.first_name);
    a.last_name = detail::optional_part(o, keys.last_name);
    a.line1 = detail::optional_part(o, keys.line1);
    a.line2 = detail::optional_part(o, keys.line2);
    a.line3 = detail::optional_part(o, keys.line3);
    a.city = detail::optional_part(o, keys.city);
    a.state = detail::optional_part(o, keys.state);
    a.zip = detail::optional_part(o, keys.zip);
    a.country = detail::optional_part(o, keys.country);
    return a;
}

inline std::optional<address> optional_address(const json::object& o, std::string_view key,
                                               const address_keys& keys)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    try {
        return read_address(*v, keys);
    } catch (const exception& e) {
        auto f = e.get();
        f.field = detail::join_path(key, f.field);
        throw exception(std::move(f));
    }
}

} // namespace wire

RECOUP_END_NAMESPACE
