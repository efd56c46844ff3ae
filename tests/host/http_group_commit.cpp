// Group commit (host/committer.hpp; `--group-commit N`, off by default), end to end on SQLite and PostgreSQL: webhooks
// sent together are applied in shared transactions, each in its own savepoint. One webhook's
// fault (injected through serve's test hook) undoes only its own work and answers it alone, also
// in batches of one (no savepoint); two identical deliveries are one delivery even in one batch;
// a failed COMMIT answers 503 to every webhook of its batch and writes none of them; a lone
// webhook is applied at once; --group-commit 0 keeps one transaction per webhook.
#define BOOST_TEST_MODULE http_group_commit
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <cstdlib>
#include <thread>

using namespace http_test;

namespace {

constexpr int together = 12; // webhooks sent at once

std::string stripe_failure(const std::string& tag)
{
    return replace_all(replace_all(own_fixture("stripe_billing/invoice.payment_failed.basil_payments.json"),
                                   "evt_RcSbFail0001", "evt_" + tag),
                       "in_RcSbInv0001", "in_" + tag);
}

// Sends every body at once, each on its own connection; the replies in the same order.
std::vector<reply> send_together(world& w, const std::vector<std::string>& bodies)
{
    std::vector<reply> replies(bodies.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < bodies.size(); ++i)
        threads.emplace_back([&, i] {
            replies[i] = w.host->post(webhook_path("pro_1", "mca_stripe"),
                                      stripe_headers(bodies[i], world::stripe_secret), bodies[i]);
        });
    for (auto& t : threads) t.join();
    return replies;
}

long long deliveries_of(world& w, const std::string& tag)
{
    return w.db.count("SELECT COUNT(*) FROM webhook_delivery WHERE dedup_key = 'evt_" + tag + "'");
}
long long intents_of(world& w, const std::string& tag)
{
    return w.db.count("SELECT COUNT(*) FROM payment_intent WHERE merchant_reference_id = 'in_" + tag + "'");
}

// Sets a test hook of `recoupd serve` for the lifetime of one world.
struct hook {
    const char* name;
    hook(const char* n, const std::string& value) : name(n) { ::setenv(name, value.c_str(), 1); }
    ~hook() { ::unsetenv(name); }
};

// Three rounds of webhooks sent together, one of them poisoned (fails inside the committer):
// it alone answers 503 and leaves nothing; every other one answers 200 with its rows written.
void one_poisoned_webhook_among_many(const std::vector<std::string>& serve_flags)
{
    const hook fault("RECOUPD_TEST_FAIL_APPLY_EVENT", "evt_poison");
    world w(backend_from_args(), {}, serve_flags);
    std::vector<std::string> bodies, tags;
    for (int round = 0; round < 3; ++round)
        for (int i = 0; i < together; ++i) {
            tags.push_back(i == together / 2 && round == 0 ? "poison" : "g" + std::to_string(round) + "_" + std::to_string(i));
            bodies.push_back(stripe_failure(tags.back()));
        }
    const auto replies = send_together(w, bodies);
    for (std::size_t i = 0; i < replies.size(); ++i) {
        if (tags[i] == "poison") {
            BOOST_TEST(replies[i].status == 503, replies[i].body);
            BOOST_TEST(error_code_of(replies[i].body) == "HE_03");
            BOOST_TEST(deliveries_of(w, tags[i]) == 0); // its claim, intent and event undone
            BOOST_TEST(intents_of(w, tags[i]) == 0);
        } else {
            BOOST_TEST(replies[i].status == 200, tags[i] + ": " + replies[i].body);
            BOOST_TEST(deliveries_of(w, tags[i]) == 1);
            BOOST_TEST(intents_of(w, tags[i]) == 1);
        }
    }
    const auto sent = static_cast<long long>(bodies.size());
    BOOST_TEST(w.rows("webhook_event") == sent - 1);
    BOOST_TEST(w.rows("payment_attempt") == sent - 1);
    // Redelivered, the poisoned webhook still fails alone; another new one goes through.
    BOOST_TEST(w.stripe(stripe_failure("poison")).status == 503);
    BOOST_TEST(w.stripe(stripe_failure("after")).status == 200);
    BOOST_TEST(w.rows("webhook_event") == sent);
}

} // namespace

// Group commit is on by default: the poisoned webhook fails in the committer without any flag.
BOOST_AUTO_TEST_CASE(one_webhook_failing_in_its_savepoint_leaves_the_others_committed)
{
    one_poisoned_webhook_among_many({"--group-commit", "64"});
}

// --group-commit 1: every batch is one webhook, applied without SAVEPOINT or RELEASE; the
// answers and the rows are the same as in shared batches.
BOOST_AUTO_TEST_CASE(batches_of_one_answer_and_write_as_shared_batches_do)
{
    one_poisoned_webhook_among_many({"--group-commit", "1"});
}

BOOST_AUTO_TEST_CASE(identical_deliveries_sent_together_are_one_delivery)
{
    world w(backend_from_args(), {}, {"--group-commit", "64"});
    const std::vector<std::string> bodies(together, stripe_failure("twin"));
    const auto replies = send_together(w, bodies);
    int recorded = 0, duplicates = 0;
    for (const auto& r : replies) {
        BOOST_TEST(r.status == 200, r.body);
        const auto line = log_line_of(*w.host, r);
        if (line.find("\"outcome\":\"duplicate\"") != std::string::npos) ++duplicates;
        else ++recorded;
    }
    BOOST_TEST(recorded == 1);
    BOOST_TEST(duplicates == together - 1);
    BOOST_TEST(deliveries_of(w, "twin") == 1);
    BOOST_TEST(intents_of(w, "twin") == 1);
    BOOST_TEST(w.rows("payment_attempt") == 1);
    BOOST_TEST(w.rows("process_tracker") == 1);
}

BOOST_AUTO_TEST_CASE(a_failed_commit_answers_its_whole_batch_503_and_writes_none_of_it)
{
    const hook fault("RECOUPD_TEST_FAIL_COMMIT_EVENT", "evt_sinker");
    world w(backend_from_args(), {}, {"--group-commit", "64"});
    std::vector<std::string> bodies, tags;
    for (int i = 0; i < together; ++i) {
        tags.push_back(i == 0 ? "sinker" : "c" + std::to_string(i));
        bodies.push_back(stripe_failure(tags.back()));
    }
    const auto replies = send_together(w, bodies);
    BOOST_TEST(replies[0].status == 503);
    int failed = 0;
    for (std::size_t i = 0; i < replies.size(); ++i) {
        // Which others shared the sinker's batch depends on timing; for each one, its answer
        // and its rows agree: 200 and all written, or 503 and nothing.
        const auto status = replies[i].status;
        BOOST_TEST((status == 200 || status == 503), tags[i] + ": " + replies[i].body);
        const long long expected = status == 200 ? 1 : 0;
        BOOST_TEST(deliveries_of(w, tags[i]) == expected, tags[i]);
        BOOST_TEST(intents_of(w, tags[i]) == expected, tags[i]);
        if (status == 503) {
            ++failed;
            BOOST_TEST(error_code_of(replies[i].body) == "HE_03");
        }
    }
    BOOST_TEST(failed >= 1);
    BOOST_TEST(w.rows("webhook_event") == together - failed);
    // Those answered 503 are applied when redelivered (the sinker alone keeps failing).
    for (std::size_t i = 1; i < replies.size(); ++i)
        if (replies[i].status == 503) BOOST_TEST(w.stripe(bodies[i]).status == 200);
    BOOST_TEST(w.rows("webhook_event") == together - 1);
}

BOOST_AUTO_TEST_CASE(a_lone_webhook_is_applied_without_waiting_for_company)
{
    // No timer: were a lone webhook held back for a batch to fill, it would meet the 2 s request
    // deadline and be answered 503 HE_05; it is answered 200, one after another.
    world w(backend_from_args(), {}, {"--request-timeout", "2", "--group-commit", "64"});
    for (int i = 0; i < 3; ++i) {
        const auto r = w.stripe(stripe_failure("lone" + std::to_string(i)));
        BOOST_TEST(r.status == 200, r.body);
    }
    BOOST_TEST(w.rows("webhook_event") == 3);
    // And with group commit off, the same as before: one transaction per webhook.
    world off(backend_from_args(), {}, {"--group-commit", "0"});
    BOOST_TEST(off.stripe(stripe_failure("single")).status == 200);
    BOOST_TEST(off.rows("webhook_event") == 1);
}

HTTP_TEST_MAIN()
