// Test that the header is self-contained: it comes first.
#include <recoup/storable.hpp>

#include <recoup/flow.hpp>
#include <recoup/memory_store.hpp>

#define BOOST_TEST_MODULE storable
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

using namespace recoup;

namespace {

// ---- utf8_length and check_storable_text -------------------------------------------------------

BOOST_AUTO_TEST_CASE(utf8_length_counts_code_points_of_well_formed_text_only)
{
    BOOST_TEST(utf8_length("").value() == 0u);
    BOOST_TEST(utf8_length("abc").value() == 3u);
    BOOST_TEST(utf8_length("\xC3\xA9t\xC3\xA9").value() == 3u);        // été
    BOOST_TEST(utf8_length("\xE2\x82\xAC").value() == 1u);             // €
    BOOST_TEST(utf8_length("\xF0\x9F\x98\x80").value() == 1u);         // U+1F600
    BOOST_TEST(utf8_length("\xF4\x8F\xBF\xBF").value() == 1u);         // U+10FFFF
    BOOST_TEST(!utf8_length("\x80"));                                  // a lone continuation byte
    BOOST_TEST(!utf8_length("a\xFF"));                                 // never in UTF-8
    BOOST_TEST(!utf8_length("\xC0\x80"));                              // overlong NUL
    BOOST_TEST(!utf8_length("\xE0\x80\xAF"));                          // overlong '/'
    BOOST_TEST(!utf8_length("\xED\xA0\x80"));                          // a surrogate
    BOOST_TEST(!utf8_length("\xF4\x90\x80\x80"));                      // past U+10FFFF
    BOOST_TEST(!utf8_length("\xE2\x82"));                              // cut short
    BOOST_TEST(!utf8_length("\xC3("));                                 // bad continuation
}

void check_rejected(const result<void>& r, std::string_view field, std::string_view detail)
{
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == error::invalid_field);
    BOOST_TEST(r.error().field == field);
    BOOST_TEST(r.error().detail.find(detail) != std::string::npos, r.error().detail);
}

BOOST_AUTO_TEST_CASE(text_with_a_nul_bad_utf8_or_too_many_characters_is_invalid_field)
{
    BOOST_TEST(!!check_storable_text("fine", "x", 4));
    check_rejected(check_storable_text(std::string("a\0b", 3), "x"), "x", "NUL");
    check_rejected(check_storable_text("\xFF", "x"), "x", "UTF-8");
    check_rejected(check_storable_text("abcde", "x", 4), "x", "longer than 4 characters (5)");
    // Characters, as PostgreSQL's VARCHAR(n) counts them: 255 two-byte characters fit in 255.
    std::string wide;
    for (int i = 0; i < 255; ++i) wide += "\xC3\xA9";
    BOOST_TEST(!!check_storable_text(wide, "x", 255));
    check_rejected(check_storable_text(wide + "e", "x", 255), "x", "(256)");
}

// A processor's answer: the scheduler stores these strings on the payment_attempt row.
BOOST_AUTO_TEST_CASE(a_processor_answer_that_cannot_be_stored_names_its_field)
{
    charge_result fine{charge_status::failed, decline_kind::soft, "card_declined", "Declined \xC3\xA9", "pi_1"};
    BOOST_TEST(!!check_storable(fine));
    BOOST_TEST(!!check_storable(charge_result{}));

    auto with = [&](auto change) {
        auto c = fine;
        change(c);
        return check_storable(c);
    };
    check_rejected(with([](charge_result& c) { c.processor_transaction_id = std::string("pi\0", 3); }),
                   "charge.processor_transaction_id", "NUL");
    check_rejected(with([](charge_result& c) { c.processor_transaction_id = std::string(256, 'p'); }),
                   "charge.processor_transaction_id", "(256)");
    check_rejected(with([](charge_result& c) { c.error_code = "\xC0\xAF"; }), "charge.error_code", "UTF-8");
    check_rejected(with([](charge_result& c) { c.error_message = std::string("no\0", 3); }),
                   "charge.error_message", "NUL");
    BOOST_TEST(!!with([](charge_result& c) { c.error_message = std::string(100000, 'm'); })); // TEXT
}

// ---- the table against the migrations ----------------------------------------------------------

std::string migrations_text()
{
    const char* root = std::getenv("RECOUP_SOURCE_ROOT");
    BOOST_REQUIRE_MESSAGE(root, "RECOUP_SOURCE_ROOT is not set");
    std::string all;
    const auto migrations = std::filesystem::path(root) / "migrations" / "postgres";
    for (const auto& dir : std::filesystem::directory_iterator(migrations)) {
        std::ifstream in(dir.path() / "up.sql");
        std::stringstream s;
        s << in.rdbuf();
        all += s.str();
    }
    return all;
}

BOOST_AUTO_TEST_CASE(each_column_limit_is_the_varchar_size_in_the_postgres_migrations)
{
    const auto sql = migrations_text();
    for (const auto& c : column_limits) {
        const auto dot = c.column.find('.');
        const std::string table(c.column.substr(0, dot)), column(c.column.substr(dot + 1));
        const auto start = sql.find("CREATE TABLE " + table + " (");
        BOOST_REQUIRE_MESSAGE(start != std::string::npos, "no table " << table);
        const auto body = sql.substr(start, sql.find(");", start) - start);
        std::smatch m;
        const std::regex declared("\\n\\s*" + column + " VARCHAR\\((\\d+)\\)");
        // A column of the CREATE TABLE, or one a later migration adds.
        const std::regex added("ALTER TABLE " + table + " ADD COLUMN " + column + " VARCHAR\\((\\d+)\\)");
        BOOST_REQUIRE_MESSAGE(std::regex_search(body, m, declared) || std::regex_search(sql, m, added),
                              "no VARCHAR column " << c.column);
        BOOST_TEST(std::stoul(m[1]) == c.max_chars, c.column);
    }
    static_assert(max_chars("payment_attempt.error_code") == 255);
}

// ---- the flow on memory_store -------------------------------------------------------------------

// Every stored string comes from the body as it is: {"id", "ref", "txn", "charge", "code", "message",
// "customer", "line1"}. Bytes that are not UTF-8 pass the parser, as they might through a plugin.
struct shaping_connector {
    struct webhook {
        boost::json::object o;
        std::optional<std::string> text(std::string_view key) const
        {
            if (const auto* v = o.if_contains(key)) return std::string(v->as_string());
            return std::nullopt;
        }
    };
    result<void> verify_source(const webhook_request&, const mca_config&, time_point) const { return {}; }
    result<webhook> parse(const webhook_request& r, const mca_config&, std::span<const sync_exchange>) const
    {
        boost::json::parse_options opt;
        opt.allow_invalid_utf8 = true;
        return webhook{boost::json::parse(r.body, {}, opt).as_object()};
    }
    incoming_webhook_event event_type(const webhook&) const { return incoming_webhook_event::recovery_payment_failure; }
    std::optional<std::string> event_id(const webhook& w) const { return w.text("id"); }
    result<std::string> object_reference_id(const webhook& w) const { return w.text("ref").value_or("inv_1"); }
    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        recovery_invoice i;
        i.merchant_reference_id = merchant_reference_id::make(w.text("ref").value_or("inv_1")).value();
        i.amount = 1000;
        i.currency = *find_currency("USD");
        if (auto line1 = w.text("line1")) {
            i.billing_address.emplace();
            i.billing_address->line1 = line1;
        }
        return i;
    }
    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        recovery_attempt a;
        a.amount = 1000;
        a.currency = *find_currency("USD");
        a.merchant_reference_id = merchant_reference_id::make(w.text("ref").value_or("inv_1")).value();
        a.connector_transaction_id = w.text("txn").value_or("txn_1");
        a.charge_id = w.text("charge");
        a.error_code = w.text("code");
        a.error_message = w.text("message");
        a.connector_customer_id = w.text("customer");
        a.status = attempt_status::failure;
        return a;
    }
};

struct no_sync {
    result<http_response> operator()(const outbound_request& r) const
    {
        return fail(error::sync_response_failed, r.path, "no sync expected");
    }
};

struct fixture {
    memory_store store;
    shaping_connector connector;
    recovery_account account;
    fixed_clock clock{from_unix_seconds(1'700'000'000)};

    fixture()
    {
        account.profile_id = "pro_1";
        account.mca_id = "mca_1";
    }
    result<recovery_result> deliver(const std::string& body)
    {
        owned_request req;
        req.body = body;
        return recover(store, connector, req.view(), account, no_sync{}, clock);
    }
    bool nothing_stored() const
    {
        const auto s = store.snapshot();
        return s.deliveries.empty() && s.intents.empty() && s.attempts.empty() && s.tasks.empty() && s.events.empty();
    }
    void check_400(const std::string& body, std::string_view field)
    {
        const auto r = deliver(body);
        BOOST_REQUIRE_MESSAGE(!r, "accepted: " << body);
        BOOST_TEST(r.error().code == error::invalid_field);
        BOOST_TEST(r.error().field == field);
        BOOST_TEST(status_for(r.error()) == 400);
        const auto api = error_response(r.error());
        BOOST_TEST(api.body.find("\"code\":\"WE_02\"") != std::string::npos, api.body);
        BOOST_TEST(api.body.find(std::string(field)) != std::string::npos, api.body);
        BOOST_TEST(nothing_stored());
    }
};

std::string text_of(std::string_view key, const std::string& json_value)
{
    return "{\"id\":\"ev_1\",\"" + std::string(key) + "\":" + json_value + "}";
}

} // namespace

BOOST_FIXTURE_TEST_CASE(a_field_too_long_for_its_column_is_400_naming_it_and_nothing_is_stored, fixture)
{
    const std::string long_text = "\"" + std::string(256, 'x') + "\"";
    check_400("{\"id\":" + long_text + "}", "event_id");
    check_400(text_of("txn", long_text), "attempt.connector_transaction_id");
    check_400(text_of("charge", long_text), "attempt.charge_id");
    check_400(text_of("code", long_text), "attempt.error_code");
    // At the limit, it is stored.
    BOOST_TEST(!!deliver("{\"id\":\"" + std::string(255, 'e') + "\",\"code\":\"" + std::string(255, 'c') + "\"}"));
    BOOST_TEST(store.snapshot().attempts.begin()->second.error_code->size() == 255u);
}

BOOST_FIXTURE_TEST_CASE(a_nul_in_any_stored_string_is_400_naming_it_and_nothing_is_stored, fixture)
{
    check_400(R"({"id":"ev\u0000"})", "event_id");
    check_400(text_of("line1", R"("12 Sample\u0000Street")"), "invoice.billing_address.line1");
    check_400(text_of("message", R"("declined\u0000")"), "attempt.error_message");
    check_400(text_of("customer", R"("\u0000")"), "attempt.connector_customer_id");
    check_400(text_of("txn", R"("t\u0000")"), "attempt.connector_transaction_id");
}

BOOST_FIXTURE_TEST_CASE(bytes_that_are_not_utf8_are_400_naming_the_field_and_nothing_is_stored, fixture)
{
    check_400(text_of("message", "\"d\xE9\x63lin\xE9\""), "attempt.error_message"); // Latin-1
    check_400(text_of("line1", "\"\xFF\""), "invoice.billing_address.line1");
    check_400(text_of("code", "\"\xC0\x80\""), "attempt.error_code");
    check_400("{\"id\":\"ev_\x80\"}", "event_id");
    // Not in a stored field, but the raw body is stored too (webhook_event.body).
    check_400(text_of("unused", "\"\xFE\""), "body");
    // When the event log does not keep the body, it is not checked (nor scanned).
    account.keep_raw_body = false;
    BOOST_TEST(!!deliver(text_of("unused", "\"\xFE\"")));
}

BOOST_FIXTURE_TEST_CASE(an_empty_event_id_dedups_on_the_body_digest_like_a_missing_one, fixture)
{
    const auto first = deliver(R"({"id":"","txn":"t1"})");
    const auto second = deliver(R"({"id":"","txn":"t2"})");
    BOOST_REQUIRE(first);
    BOOST_REQUIRE(second);
    BOOST_TEST(!first->duplicate);
    BOOST_TEST(!second->duplicate); // two bodies, two events
    BOOST_TEST(!first->event_id);
    auto s = store.snapshot();
    BOOST_TEST(s.events.size() == 2u);
    BOOST_TEST(s.attempts.size() == 2u);
    for (const auto& e : s.events) {
        BOOST_TEST(!e.connector_event_id);
        BOOST_TEST(e.dedup_key == "sha256:" + e.body_digest);
    }
    // The same body again is a duplicate, as it is without an id.
    const auto again = deliver(R"({"id":"","txn":"t1"})");
    BOOST_REQUIRE(again);
    BOOST_TEST(again->duplicate);
    BOOST_TEST(store.snapshot().deliveries.size() == 2u);
}
