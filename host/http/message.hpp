// recoupd: the HTTP messages every part of the server speaks (Boost.Beast, string bodies).
#pragma once

#include <boost/beast/http.hpp>

namespace recoupd::http {

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

} // namespace recoupd::http
