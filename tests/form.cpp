// Test that the header is self-contained: it comes first.
#include <recoup/form.hpp>

#define BOOST_TEST_MODULE form
#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_CASE(unreserved_characters_stay)
{
    BOOST_TEST(recoup::percent_encode("AZaz09-_.~") == "AZaz09-_.~");
    BOOST_TEST(recoup::percent_encode("") == "");
}

BOOST_AUTO_TEST_CASE(everything_else_is_upper_case_hex)
{
    BOOST_TEST(recoup::percent_encode("a b&c=d+e/f?g#h%") == "a%20b%26c%3Dd%2Be%2Ff%3Fg%23h%25");
    BOOST_TEST(recoup::percent_encode("caf\xC3\xA9") == "caf%C3%A9");
    BOOST_TEST(recoup::percent_encode(std::string("\0\n\xFF", 3)) == "%00%0A%FF");
    BOOST_TEST(recoup::percent_encode("in_1/../pay") == "in_1%2F..%2Fpay");
}

BOOST_AUTO_TEST_CASE(fields_join_with_ampersands_keys_as_given)
{
    std::string body;
    recoup::append_form_field(body, "amount", "1234");
    BOOST_TEST(body == "amount=1234");
    recoup::append_form_field(body, "metadata[payment_id]", "pay 1&2");
    recoup::append_form_field(body, "empty", "");
    BOOST_TEST(body == "amount=1234&metadata[payment_id]=pay%201%262&empty=");
}

BOOST_AUTO_TEST_CASE(the_content_type_header)
{
    const auto h = recoup::form_content_type_header();
    BOOST_TEST(h.name == "Content-Type");
    BOOST_TEST(h.value == "application/x-www-form-urlencoded");
    BOOST_TEST(recoup::form_content_type == "application/x-www-form-urlencoded");
}
