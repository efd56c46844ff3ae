// recoupd: what a request and a task need, gathered in one place: the store, the loaded plugins,
// the outbound client, metrics, the clock and the serving configuration.
//
// The host's layering. Each line includes only from the lines below it, never upward or sideways:
//   main.cpp, cli/        commands: parse flags, build an app, run serve / scheduler / the rest
//   conformance/          the plugin checker behind `recoupd plugin check`
//   simulation/           `recoupd simulate`: a population through the scheduler on a virtual clock
//   http/  scheduler/     the server and its routes; the retry loop (neither includes the other)
//   app.hpp  settings.hpp  account_cache.hpp  committer.hpp
//                         this aggregate; reading stored profile and MCA settings, and caching
//                         them; group commit
//   mca_checks.hpp        the checks of an MCA's settings (URLs, tolerance) before they are stored
//   store/  outbound/  plugins.hpp  metrics.hpp  log.hpp
//                         the database, calls to platform and processor APIs, the plugin
//                         directory, counters, the JSON-lines log
// and all of them include the library <recoup/...> only, which includes nothing of the host.
#pragma once

#include "account_cache.hpp"
#include "committer.hpp"
#include "metrics.hpp"
#include "outbound/client.hpp"
#include "plugins.hpp"
#include "store/soci_store.hpp"

#include <recoup/api_error.hpp>
#include <recoup/clock.hpp>

#include <chrono>
#include <memory>

namespace recoupd {

struct app_config {
    std::chrono::seconds retry_after = recoup::api_error::default_retry_after; // the Retry-After of a 503
    bool keep_raw_body = true;           // keep webhook bodies in the event log for replay
    // Group commit (committer.hpp); max_batch 0: each webhook in its own transaction.
    committer_options group_commit;
};

struct app {
    soci_store& store;
    recoupd::plugins plugins;
    outbound::client client;
    app_config config;
    recoupd::metrics metrics;
    recoup::system_clock clock;
    account_cache accounts; // the webhook path's profiles and MCAs
    std::unique_ptr<committer> commits; // null when group commit is off

    app(soci_store& s, recoupd::plugins p, outbound::client_options client_options = {}, app_config c = {})
        : store(s), plugins(std::move(p)), client(client_options), config(c), accounts(s, c.keep_raw_body)
    {
        if (c.group_commit.max_batch > 0) commits = std::make_unique<committer>(s, c.group_commit);
    }
};

} // namespace recoupd
