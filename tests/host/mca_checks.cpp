// host/mca_checks.hpp: the MCA configuration `mca add` refuses, value by value.
#define BOOST_TEST_MODULE host_mca_checks
#include <boost/test/unit_test.hpp>

#include "mca_checks.hpp"

#include <boost/json.hpp>

namespace checks = recoupd::mca_checks;

namespace {

boost::json::object settings(const char* json) { return boost::json::parse(json).as_object(); }

bool refused_url(const char* url, bool api_key = false) { return checks::base_url_problem(url, api_key).has_value(); }

} // namespace

BOOST_AUTO_TEST_CASE(a_tolerance_must_be_a_positive_whole_number_of_seconds)
{
    BOOST_TEST(!checks::tolerance_problem(settings("{}")));
    BOOST_TEST(!checks::tolerance_problem(settings(R"({"signature_tolerance_seconds":1})")));
    BOOST_TEST(!checks::tolerance_problem(settings(R"({"signature_tolerance_seconds":86400})")));
    for (const char* bad : {R"({"signature_tolerance_seconds":0})", R"({"signature_tolerance_seconds":-1})",
                            R"({"signature_tolerance_seconds":-9223372036854775808})",
                            R"({"signature_tolerance_seconds":1.5})", R"({"signature_tolerance_seconds":"300"})",
                            R"({"signature_tolerance_seconds":null})", R"({"signature_tolerance_seconds":true})"}) {
        const auto problem = checks::tolerance_problem(settings(bad));
        BOOST_TEST_REQUIRE(problem.has_value(), bad);
        BOOST_TEST(problem->find("setting signature_tolerance_seconds must be a whole number of seconds above 0, not ") == 0u,
                   *problem);
    }
    BOOST_TEST(*checks::tolerance_problem(settings(R"({"signature_tolerance_seconds":0})")) ==
               "setting signature_tolerance_seconds must be a whole number of seconds above 0, not 0: 0 or less would "
               "turn the timestamp check off and let old deliveries be replayed");
}

BOOST_AUTO_TEST_CASE(loopback_hosts)
{
    for (const char* host : {"127.0.0.1", "127.255.0.9", "127.1", "2130706433", "0x7f000001", "::1", "::ffff:127.0.0.1",
                             "localhost", "LOCALHOST", "localhost."})
        BOOST_TEST(checks::is_loopback_host(host), host);
    for (const char* host : {"128.0.0.1", "10.0.0.1", "0.0.0.0", "::", "::2", "localhost.example.com", "mylocalhost",
                             "api.example.com", "126.255.255.255", "::ffff:10.0.0.1"})
        BOOST_TEST(!checks::is_loopback_host(host), host);
}

BOOST_AUTO_TEST_CASE(link_local_and_metadata_hosts)
{
    for (const char* host : {"169.254.169.254", "169.254.0.0", "169.254.255.255", "169.254.170.2", "2852039166",
                             "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "::ffff:169.254.169.254",
                             "fe80::1", "FE80::1%eth0", "febf:ffff::1", "fd00:ec2::254", "fd00:0ec2:0:0:0:0:0:0254",
                             "100.100.100.200", "metadata.google.internal", "Metadata.Google.Internal.",
                             "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
                             "user@169.254.169.254"})
        BOOST_TEST(checks::is_metadata_host(host), host);
    for (const char* host : {"169.253.255.255", "169.255.0.0", "170.254.169.254", "fec0::1", "fe7f::1", "fd00:ec2::253",
                             "fd00::254", "100.100.100.201", "metadata.example.com", "my-metadata", "api.recurly.com",
                             "127.0.0.1", "deadbeef"})
        BOOST_TEST(!checks::is_metadata_host(host), host);
}

BOOST_AUTO_TEST_CASE(base_urls)
{
    // Metadata and link-local: refused whatever the scheme, with or without an API key.
    BOOST_TEST(refused_url("http://169.254.169.254/latest/meta-data/"));
    BOOST_TEST(refused_url("https://169.254.169.254"));
    BOOST_TEST(refused_url("https://[fd00:ec2::254]:443/x", true));
    BOOST_TEST(refused_url("http://[fe80::a:b]:8080"));
    BOOST_TEST(refused_url("https://metadata.google.internal/computeMetadata/v1/"));
    BOOST_TEST(*checks::base_url_problem("http://169.254.169.254/", false) ==
               "base URL \"http://169.254.169.254/\" points at a link-local or cloud metadata address "
               "(169.254.169.254), never a billing platform's API");
    // http:// with an API key: loopback only.
    BOOST_TEST(refused_url("http://v3.recurly.com", true));
    BOOST_TEST(refused_url("http://10.1.2.3:8080/api", true));
    BOOST_TEST(refused_url("http://[2001:db8::1]/", true));
    BOOST_TEST(checks::base_url_problem("http://v3.recurly.com", true)->find("would send the API key in clear text") !=
               std::string::npos);
    BOOST_TEST(!refused_url("http://v3.recurly.com", false));
    BOOST_TEST(!refused_url("https://v3.recurly.com", true));
    BOOST_TEST(!refused_url("http://127.0.0.1:8081/api", true));
    BOOST_TEST(!refused_url("http://[::1]:9000", true));
    BOOST_TEST(!refused_url("http://localhost:8080", true));
    // Not a URL the client can call.
    BOOST_TEST(refused_url("ftp://v3.recurly.com"));
    BOOST_TEST(refused_url("v3.recurly.com"));
    BOOST_TEST(refused_url(""));
    BOOST_TEST(refused_url("https://"));
}

BOOST_AUTO_TEST_CASE(an_mca_is_checked_as_a_whole)
{
    BOOST_TEST(!checks::mca_problem(settings("{}"), std::nullopt, true));
    BOOST_TEST(!checks::mca_problem(settings(R"({"retry_threshold":2})"), std::string("https://x.example"), true));
    BOOST_TEST(checks::mca_problem(settings(R"({"signature_tolerance_seconds":0})"), std::nullopt, false).has_value());
    BOOST_TEST(checks::mca_problem(settings("{}"), std::string("http://x.example"), true).has_value());
}
