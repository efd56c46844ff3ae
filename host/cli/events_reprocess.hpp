// recoupd: `events replay ID --reprocess`: a stored webhook through the flow again. The stored
// body has no headers, so verification is not re-done (the delivery was verified when it was
// stored); the connector normalizes the body again (sync calls included) and the flow applies it
// under the dedup key recoup::replay_dedup_key(original key, n), n = 1 + the replays before. It
// prints one JSON object: the new delivery's outcome, the payment, and the intent, attempts and
// tasks that changed.
#pragma once

#include "cli/command.hpp"
#include "plugins.hpp"
#include "store/soci_store.hpp"

#include <recoup/store.hpp>

namespace recoupd::cli {

// exit_ok when the flow ran (whatever its outcome); exit_failure, with the reason on ctx.err, when
// the event has no stored body, its profile, MCA or connector is gone, or the flow failed.
int reprocess_event(soci_store& store, const recoupd::plugins& plugins, const recoup::event_record& event,
                    context& ctx);

} // namespace recoupd::cli
