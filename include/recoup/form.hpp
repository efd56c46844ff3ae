// recoup: request bodies in application/x-www-form-urlencoded, as Stripe and Chargebee take them,
// and the percent-encoding that also makes an id safe as one path segment.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/detail/config.hpp>

#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

inline constexpr std::string_view form_content_type = "application/x-www-form-urlencoded";

// RFC 3986 unreserved characters stay, every other byte becomes %XX (upper-case hex): safe in a
// form value, a query value and a single path segment alike.
std::string percent_encode(std::string_view s);

// Appends "key=value" (with '&' after the first field). The key goes in as given, so keys such as
// "metadata[payment_id]" keep their literal brackets as the platforms' own libraries send them;
// the value is percent-encoded.
void append_form_field(std::string& body, std::string_view key, std::string_view value);

// The Content-Type header for a form body.
http_header form_content_type_header();

RECOUP_END_NAMESPACE

#include <recoup/impl/form.hpp>
