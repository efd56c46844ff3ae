#pragma once

RECOUP_BEGIN_NAMESPACE

namespace wire {

namespace detail {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
constexpr std::string_view type_name() noexcept
{
    if constexpr (std::is_same_v<T, std::string>) return "string";
    else if constexpr (std::is_same_v<T, bool>) return "boolean";
    else if constexpr (std::is_integral_v<T>) return "integer";
    else if constexpr (std::is_floating_point_v<T>) return "number";
    else if constexpr (is_vector<T>::value) return "array";
    else return "object";
}

// "content" + "transaction.amount" -> "content.transaction.amount"; "lines" + "[0]" -> "lines[0]".
inline std::string join_path(std::string_view outer, std::string_view inner)
{
    std::string out(outer);
    if (!inner.empty() && inner.front() != '[' && !out.empty()) out += '.';
    out += inner;
    return out;
}

template <class T>
T read(const json::value& v, std::string_view path);

template <class T>
T read_scalar(const json::value& v, std::string_view path)
{
    if constexpr (std::is_same_v<T, std::string>) {
        if (!v.is_string()) raise(error::invalid_field, std::string(path), "expected string");
        return std::string(v.get_string());
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_bool()) raise(error::invalid_field, std::string(path), "expected boolean");
        return v.get_bool();
    } else {
        // Integers must be exact: 224.0 is accepted, 224.5 or "224" are not.
        boost::system::error_code ec;
        auto n = v.is_number() ? v.to_number<T>(ec) : T{};
        if (!v.is_number() || ec)
            raise(error::invalid_field, std::string(path), "expected " + std::string(type_name<T>()));
        return n;
    }
}

template <class T>
T read(const json::value& v, std::string_view path)
{
    if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string>) {
        return read_scalar<T>(v, path);
    } else if constexpr (is_vector<T>::value) {
        if (!v.is_array()) raise(error::invalid_field, std::string(path), "expected array");
        T out;
        const auto& arr = v.get_array();
        out.reserve(arr.size());
        for (std::size_t i = 0; i < arr.size(); ++i)
            out.push_back(read<typename T::value_type>(arr[i],
                                                       join_path(path, "[" + std::to_string(i) + "]")));
        return out;
    } else if constexpr (std::is_same_v<T, json::value>) {
        return json::value(v, json::storage_ptr()); // off parse_as's arena: it outlives the parse
    } else {
        try {
            return json::value_to<T>(v);
        } catch (const exception& e) {
            auto f = e.get();
            f.field = join_path(path, f.field);
            throw exception(std::move(f));
        }
    }
}

} // namespace detail

[[noreturn]] inline void raise(error code, std::string field, std::string detail)
{
    throw exception(fail(code, std::move(field), std::move(detail)));
}

template <class T>
T unwrap(result<T> r)
{
    if (!r) throw exception(std::move(r).error());
    return std::move(*r);
}

inline void unwrap(result<void> r)
{
    if (!r) throw exception(r.error());
}

inline const json::object& as_object(const json::value& v)
{
    if (!v.is_object()) raise(error::invalid_field, "", "expected object");
    return v.get_object();
}

template <class T>
T required(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) raise(error::missing_field, std::string(key));
    return detail::read<T>(*v, key);
}

template <class T>
std::optional<T> optional(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return detail::read<T>(*v, key);
}

template <class T>
result<T> convert(const json::value& v)
{
    try {
        return detail::read<T>(v, "");
    } catch (const exception& e) {
        return e.get();
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        return fail(error::invalid_field, "", e.what());
    }
}

template <class T>
result<T> parse_as(std::string_view body)
{
    // The parsed value lives only until it is converted: its nodes come from one arena (a buffer
    // on the stack, then blocks growing from it) released at once, not allocated and freed one
    // by one. A conversion copies what it keeps out of the value.
    unsigned char first_block[arena_first_block_bytes];
    json::monotonic_resource arena(first_block, sizeof first_block);
    boost::system::error_code ec;
    json::value v = json::parse(body, ec, &arena);
    if (ec) return fail(error::body_not_json, "", ec.message());
    return convert<T>(v);
}

} // namespace wire

RECOUP_END_NAMESPACE
