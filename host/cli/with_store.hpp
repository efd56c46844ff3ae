// recoupd: the storage commands' one way of opening the store and reporting its failures.
#pragma once

#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "store/soci_store.hpp"

#include <exception>
#include <string>

namespace recoupd::cli {

// A missing table means the database was never migrated: say what to run.
inline std::string with_migrate_hint(const std::string& message)
{
    if (message.find("no such table") != std::string::npos ||
        (message.find("relation") != std::string::npos && message.find("does not exist") != std::string::npos))
        return message + " (run: recoupd migrate up)";
    return message;
}

// Runs a command body against a one-connection store; a database error becomes one line and exit
// status 1 (usage errors pass through to the caller's exit 2).
template <class F>
int with_store(const parsed_args& args, context& ctx, F&& body)
{
    try {
        soci_store store(database_of(args), 1);
        return body(store);
    } catch (const usage_error&) {
        throw;
    } catch (const std::exception& e) {
        print_error(ctx.err, with_migrate_hint(e.what()));
        return exit_failure;
    }
}

} // namespace recoupd::cli
