// The plugin loader (plugin_loader, see loader.cpp): what the loader refuses to load or to
// believe, each with a message naming the plugin.
#include <boost/test/unit_test.hpp>

#include "loader_scenarios.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

using namespace loader_test;

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_AUTO_TEST_CASE(next_abi_major_is_refused)
{
    const auto path = require_path("abi_next_major");
    const std::string expected = "incompatible plugin \"" + path + "\": ABI version mismatch\nHost ABI is " +
                                 version(RECOUP_ABI_VERSION_MAJOR, RECOUP_ABI_VERSION_MINOR) + ", plugin ABI is " +
                                 version(RECOUP_ABI_VERSION_MAJOR + 1, 0) + ".";
    for (const auto& f : {recoup::plugin::load_library(path).error(), recoup::plugin::load_connector(path).error()}) {
        BOOST_TEST(recoup::to_string(f.code) == "plugin_abi_mismatch");
        BOOST_TEST(f.field == path);
        BOOST_TEST(f.detail == expected);
    }
    // Spelled out for today's ABI major, as an operator reads it.
    if (RECOUP_ABI_VERSION_MAJOR == 1) {
        BOOST_TEST(contains(expected, "\nHost ABI is 1."));
        BOOST_TEST(contains(expected, ", plugin ABI is 2.0."));
    }
}

BOOST_AUTO_TEST_CASE(descriptor_smaller_than_the_abi_is_refused)
{
    const auto path = require_path("small_descriptor");
    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_abi_mismatch);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(contains(r.error().detail, "incompatible plugin \"" + path + "\": descriptor too small"));
        BOOST_TEST(contains(r.error().detail, "It declares 24 bytes, ABI " +
                                                  version(RECOUP_ABI_VERSION_MAJOR, RECOUP_ABI_VERSION_MINOR) +
                                                  " needs at least 56."));
    }
}

// A newer host loads an older plugin of the same major, reading only what struct_size covers.
BOOST_AUTO_TEST_CASE(older_minor_plugin_loads)
{
    const auto path = require_path("abi_1_0_connector");
    const auto c = recoup::plugin::load_connector(path);
    if (RECOUP_ABI_VERSION_MAJOR != 1) { // a 1.0 plugin is then another major
        expect_failure(c, error::plugin_abi_mismatch);
        return;
    }
    BOOST_TEST_REQUIRE(c.has_value(), (c ? "" : c.error().what()));
    BOOST_TEST(c->info().name == "abi_1_0");
    BOOST_TEST(c->info().abi_major == 1u);
    BOOST_TEST(c->info().abi_minor == 0u);
    BOOST_TEST(!c->info().can_record_back());

    recoup::owned_request req;
    req.body = "ok";
    BOOST_TEST(c->verify_source(req.view(), recoup::mca_config{}, fixed_now).has_value());
    req.body = "nope";
    const auto bad = c->verify_source(req.view(), recoup::mca_config{}, fixed_now);
    expect_failure(bad, error::signature_mismatch);
    if (!bad) {
        BOOST_TEST(bad.error().field == "body");
        BOOST_TEST(bad.error().detail == "not ok");
    }
    const auto w = recoup::normalize(*c, req.view(), recoup::mca_config{});
    BOOST_TEST_REQUIRE(w.has_value(), (w ? "" : w.error().what()));
    BOOST_TEST(recoup::to_string(w->event_type) == "EventNotSupported");
    BOOST_TEST(w->event_id.value_or("") == "old_1");
    recoup::record_back_request in;
    in.invoice_id = "inv_1";
    expect_failure(c->record_back(in, recoup::mca_config{}), error::not_supported);

    // The fields past its struct_size read as absent, not as whatever follows in its memory.
    const auto lib = recoup::plugin::load_library(path);
    BOOST_TEST_REQUIRE(lib.has_value());
    const auto& d = (*lib)->descriptor();
    const auto* bytes = reinterpret_cast<const unsigned char*>(&d);
    bool tail_is_zero = true;
    for (std::size_t i = d.struct_size; i < sizeof d; ++i) tail_is_zero &= bytes[i] == 0;
    BOOST_TEST(tail_is_zero);
}

BOOST_AUTO_TEST_CASE(missing_entry_symbol_is_refused_with_a_hint)
{
    const auto path = require_path("no_entry");
    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_missing_entry);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(contains(r.error().detail, "incompatible plugin \"" + path + "\": missing entry symbol"));
        BOOST_TEST(contains(r.error().detail, RECOUP_PLUGIN_ENTRY_NAME));
        BOOST_TEST(contains(r.error().detail, "\nHint: "));
        BOOST_TEST(contains(r.error().detail, "RECOUP_EXPORT_CONNECTOR"));
        BOOST_TEST(contains(r.error().detail, "<recoup/plugin/export.hpp>"));
    }
}

BOOST_AUTO_TEST_CASE(missing_file)
{
    const std::string path = "/nonexistent/recoup/plugins/recoup_nothing.so";
    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_load_failed);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(r.error().detail == "could not access file \"" + path + "\": no such file");
    }
    expect_failure(recoup::plugin::load_library(""), error::plugin_load_failed);
}

BOOST_AUTO_TEST_CASE(file_that_is_not_a_library)
{
    const auto path = (fs::temp_directory_path() / ("recoup_not_a_plugin_" + std::to_string(::getpid()) + ".so")).string();
    {
        std::ofstream out(path, std::ios::binary);
        out << "this is not an ELF file, just text pretending to be one\n";
    }
    const auto r = recoup::plugin::load_connector(path);
    fs::remove(path);
    expect_failure(r, error::plugin_load_failed);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(contains(r.error().detail, "could not load library \"" + path + "\": "));
        BOOST_TEST(!contains(r.error().detail, "unknown reason"), r.error().detail);
    }
}

BOOST_AUTO_TEST_CASE(unresolved_symbol_fails_at_load)
{
    const auto path = require_path("unresolved");
    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_load_failed);
    if (!r) {
        BOOST_TEST(contains(r.error().detail, "could not load library \"" + path + "\": "));
        BOOST_TEST(contains(r.error().detail, "recoup_test_symbol_nobody_defines"), r.error().detail);
    }
}

BOOST_AUTO_TEST_CASE(processor_is_not_a_connector)
{
    const auto path = require_path("processor_kind");
    const auto lib = recoup::plugin::load_library(path);
    BOOST_TEST_REQUIRE(lib.has_value(), (lib ? "" : lib.error().what()));
    BOOST_TEST((*lib)->info().name == "test_processor");
    BOOST_TEST((*lib)->info().kind == RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR);
    BOOST_TEST(recoup::plugin::kind_name((*lib)->info().kind) == "payment_processor");

    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_wrong_kind);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(r.error().detail == "plugin \"" + path + "\" is a payment_processor, not a billing connector");
    }
    BOOST_TEST(recoup::plugin::kind_name(0) == "unknown");
    BOOST_TEST(recoup::plugin::kind_name(77) == "unknown");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(misbehaving_plugin)

BOOST_AUTO_TEST_CASE(undeclared_error_code)
{
    const auto c = require_connector("misbehaving");
    recoup::owned_request req;
    const auto r = c.verify_source(req.view(), recoup::mca_config{}, fixed_now);
    expect_failure(r, error::plugin_exception);
    if (!r) BOOST_TEST(r.error().detail == "plugin \"misbehaving\" returned unknown error code 12345");
}

BOOST_AUTO_TEST_CASE(output_that_is_not_json)
{
    const auto c = require_connector("misbehaving");
    recoup::owned_request req;
    req.body = body("failed");
    const auto r = recoup::normalize(c, req.view(), recoup::mca_config{});
    expect_failure(r, error::plugin_invalid_output);
    if (!r) BOOST_TEST(contains(r.error().detail, "plugin \"misbehaving\": body is not json"), r.error().detail);
}

BOOST_AUTO_TEST_SUITE_END()
