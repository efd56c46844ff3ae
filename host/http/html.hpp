// recoupd: the text work of the dashboard's pages: HTML escaping (every value a platform or a
// request hands over is hostile until escaped) and cookies. Pure. (Query strings and form
// bodies: parse_query of http/recovery_query.hpp.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace recoupd::http::html {

// & < > " ' as character references: safe in element text and in a quoted attribute value.
std::string escape(std::string_view text);

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt.
std::optional<std::string_view> cookie(std::string_view header, std::string_view name);

} // namespace recoupd::http::html
