#include "cli/storage_commands.hpp"

#include "cli/events_reprocess.hpp"
#include "cli/flags.hpp"
#include "cli/secret_input.hpp"
#include "cli/with_store.hpp"
#include "mca_checks.hpp"
#include "store/soci_store.hpp"

#include <recoup/network_rules.hpp>
#include <recoup/plugin/loader.hpp>
#include <recoup/retry.hpp>

#include <boost/json.hpp>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace recoupd::cli {

namespace {

namespace json = boost::json;

std::string iso_time(std::int64_t unix_seconds)
{
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string migration_label(const migration_state& m)
{
    char version[8];
    std::snprintf(version, sizeof version, "%04d", m.version);
    return std::string(version) + "_" + m.name;
}

// "cascading, monitoring": the names a profile's retry algorithm may take.
std::string retry_algorithm_names()
{
    std::string out;
    for (const auto& [value, name] : recoup::enum_names<recoup::retry_algorithm>::values)
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

// --setting key=value: the value is JSON when it parses as JSON, else a string.
json::object settings_of(const parsed_args& args)
{
    json::object settings;
    for (const auto& s : args.values("setting")) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) throw usage_error("--setting wants key=value, not \"" + s + "\"");
        const auto value = s.substr(eq + 1);
        boost::system::error_code ec;
        auto parsed = json::parse(value, ec);
        settings[s.substr(0, eq)] = ec ? json::value(json::string(value)) : std::move(parsed);
    }
    return settings;
}

// Why `text` is not a network rule table (recoup::parse_network_rules), or nothing when it is one.
std::optional<std::string> network_rules_error(const std::string& text)
{
    auto rules = recoup::parse_network_rules(text);
    if (!rules) return rules.error().what();
    return std::nullopt;
}

// --network-rules FILE: the file's JSON, checked as a rule table; a usage_error in one line when it is not.
std::string network_rules_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage_error("--network-rules: cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    if (auto why = network_rules_error(text.str())) throw usage_error("--network-rules " + path + ": " + *why);
    return text.str();
}

} // namespace

// ---- migrate ------------------------------------------------------------------------------------

namespace {
const flag_spec migrate_flags[] = {database_flag};
}

const args_spec migrate_args{
    .positionals = "[up | down N | down all | status]",
    .min_positionals = 0,
    .max_positionals = 2,
    .flags = migrate_flags,
    .description = "Applies the migrations compiled into recoupd (up, the default), reverts the N newest\n"
                   "(down N), or lists each migration and when it ran (status). Each migration runs in its\n"
                   "own transaction and is recorded in the schema_migrations table.",
};

int migrate(const parsed_args& args, context& ctx)
{
    const auto& pos = args.positionals();
    const std::string verb = pos.empty() ? "up" : pos[0];
    int down_count = 0;
    if (verb == "down") {
        if (pos.size() != 2) throw usage_error("\"down\" needs a count: down N, or down all");
        down_count = pos[1] == "all" ? 1'000'000 : static_cast<int>(number(pos[1], "the count", 0));
    } else if (verb != "up" && verb != "status") {
        throw usage_error("unknown migrate action \"" + verb + "\": expected up, down N or status");
    } else if (pos.size() > 1) {
        throw usage_error("unexpected argument \"" + pos[1] + "\" after \"" + verb + "\"");
    }
    return with_store(args, ctx, [&](soci_store& store) {
        if (verb == "status") {
            for (const auto& m : store.migration_status())
                ctx.out << padded(migration_label(m), 48)
                        << (m.applied_at ? "applied " + iso_time(*m.applied_at) : std::string("pending")) << "\n";
            return exit_ok;
        }
        const auto done = verb == "up" ? store.migrate_up() : store.migrate_down(down_count);
        for (const auto& m : done) ctx.out << (verb == "up" ? "applied " : "reverted ") << migration_label(m) << "\n";
        if (done.empty()) ctx.out << (verb == "up" ? "already up to date\n" : "nothing to revert\n");
        return exit_ok;
    });
}

// ---- profile add | update ----------------------------------------------------------------------

namespace {
const flag_spec profile_add_flags[] = {
    {"id", "ID", "the profile id: 1-64 characters of A-Z a-z 0-9 _ -"},
    {"retry-algorithm", "NAME", "cascading (default), monitoring or smart"},
    {"retry-schedule", "JSON", "the retry schedule (default: the reference's)"},
    {"network-rules", "FILE", "the card networks' rule table, JSON (default: the rules of docs/recovery.md)"},
    database_flag,
};

// --retry-algorithm, --retry-schedule and --network-rules onto `p`; a usage_error for a bad value.
void profile_flags(const parsed_args& args, profile_record& p)
{
    if (auto algorithm = args.value("retry-algorithm")) {
        if (!recoup::enum_from_string<recoup::retry_algorithm>(*algorithm))
            throw usage_error("--retry-algorithm must be one of " + retry_algorithm_names() + ", not \"" + *algorithm +
                              "\"");
        p.retry_algorithm = *algorithm;
    }
    if (auto schedule = args.value("retry-schedule")) p.retry_schedule = *schedule;
    if (p.retry_schedule && !recoup::parse_retry_schedule(*p.retry_schedule))
        throw usage_error("--retry-schedule must be JSON {\"start_after\":SECONDS,\"frequencies\":[[SECONDS,COUNT],...]} "
                          "with non-negative numbers, not " + *p.retry_schedule);
    if (auto file = args.value("network-rules")) p.network_rules = network_rules_file(*file);
}
} // namespace

const args_spec profile_add_args{
    .flags = profile_add_flags,
    .description = "Creates a business profile: the scope that owns merchant connector accounts (MCAs)\n"
                   "and appears in the webhook URL.",
};

int profile_add(const parsed_args& args, context& ctx)
{
    profile_record p;
    p.id = required(args, "id");
    profile_flags(args, p);
    return with_store(args, ctx, [&](soci_store& store) {
        store.add_profile(p);
        ctx.out << "added profile " << p.id << " (retry algorithm " << p.retry_algorithm << ")\n";
        return exit_ok;
    });
}

const args_spec profile_update_args{
    .flags = profile_add_flags,
    .description = "Changes a business profile's retry algorithm, retry schedule or network rules; what\n"
                   "is not given stays as it is.",
};

int profile_update(const parsed_args& args, context& ctx)
{
    const auto id = required(args, "id");
    profile_record flags;
    profile_flags(args, flags); // usage errors before the database is opened
    return with_store(args, ctx, [&](soci_store& store) {
        auto p = store.find_profile(id);
        if (!p) throw std::invalid_argument("unknown profile \"" + id + "\"");
        profile_flags(args, *p);
        store.update_profile(*p);
        ctx.out << "updated profile " << p->id << " (retry algorithm " << p->retry_algorithm << ")\n";
        return exit_ok;
    });
}

// ---- mca add ------------------------------------------------------------------------------------

namespace {
const flag_spec mca_add_flags[] = {
    {"profile", "ID", "the profile the MCA belongs to"},
    {"id", "ID", "the MCA id: 1-64 characters of A-Z a-z 0-9 _ -"},
    {"connector", "NAME", "the billing connector: the plugin recoup_NAME.so"},
    webhook_secret_flags.argv,
    webhook_secret_flags.file,
    webhook_secret_flags.stdin_flag,
    webhook_secret_flags.env,
    api_key_flags.argv,
    api_key_flags.file,
    api_key_flags.stdin_flag,
    api_key_flags.env,
    {"base-url", "URL", "the platform's API base URL (https://; http:// only to loopback when there is an API key)"},
    {"setting", "KEY=VALUE", "a recovery setting; VALUE is JSON when it parses, else a string", true},
    plugin_dir_flag,
    no_bundled_plugins_flag,
    database_flag,
};
}

const args_spec mca_add_args{
    .flags = mca_add_flags,
    .description = "Adds a merchant connector account: a billing platform's account inside a profile.\n"
                   "The connector plugin must load. Secrets and the API key are encrypted at rest\n"
                   "(RECOUP_MASTER_KEY, or for SQLite a key file beside the database) and never printed.\n"
                   "Give them with --secret-file/--secret-env/--secret-stdin and --api-key-file/\n"
                   "--api-key-env/--api-key-stdin: one value per file, variable or standard input, one\n"
                   "trailing newline dropped; several secrets (a rotation) from repeated flags. The argv\n"
                   "forms --secret and --api-key still work but warn: other users can read a command line.\n"
                   "Refused, with nothing written: signature_tolerance_seconds of 0 or less (it would\n"
                   "turn the replay check off); an http:// base URL to a host other than loopback when\n"
                   "there is an API key; a base URL at a link-local or cloud metadata address\n"
                   "(169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal, ...).\n"
                   "Example settings: --setting retry_threshold=2\n"
                   "                  --setting billing_account_reference='{\"gw_1\":\"mca_pay\"}'",
};

int mca_add(const parsed_args& args, context& ctx)
{
    mca_record m;
    m.profile_id = required(args, "profile");
    m.id = required(args, "id");
    m.connector = required(args, "connector");
    bool stdin_taken = false;
    m.secrets = read_secrets(args, webhook_secret_flags, ctx.err, std::cin, stdin_taken);
    m.api_key = read_one_secret(args, api_key_flags, ctx.err, std::cin, stdin_taken);
    m.base_url = args.value("base-url");
    const auto settings = settings_of(args);
    if (auto problem = mca_checks::mca_problem(settings, m.base_url, m.api_key.has_value()))
        throw usage_error(*problem);
    m.settings = json::serialize(settings);

    std::filesystem::path plugin;
    std::string searched;
    for (const auto& dir : plugin_path_of(args)) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) {
            print_error(ctx.err, "unknown connector \"" + m.connector + "\": plugin directory \"" + dir.string() +
                                     "\" does not exist (see --plugin-dir)");
            return exit_failure;
        }
        const auto candidate = dir / ("recoup_" + m.connector + ".so");
        if (plugin.empty() && std::filesystem::exists(candidate, ec)) plugin = candidate;
        searched += (searched.empty() ? "\"" : ", \"") + dir.string() + "\"";
    }
    if (plugin.empty()) {
        print_error(ctx.err, "unknown connector \"" + m.connector + "\": no recoup_" + m.connector + ".so in " +
                                 searched + " (see --plugin-dir)");
        return exit_failure;
    }
    // A billing connector verifies webhooks with secrets; a payment processor (its kind is the
    // plugin's) receives none, so its secrets may be omitted.
    auto loaded = recoup::plugin::load_library(plugin);
    if (!loaded) {
        print_error(ctx.err, "connector \"" + m.connector + "\": " + loaded.error().what());
        return exit_failure;
    }
    const bool processor = (*loaded)->info().kind == RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR;
    if (!processor && !recoup::plugin::load_connector(plugin)) {
        print_error(ctx.err, "connector \"" + m.connector + "\": " + recoup::plugin::load_connector(plugin).error().what());
        return exit_failure;
    }
    if (!processor && m.secrets.empty())
        throw usage_error("--secret-file, --secret-env, --secret-stdin or --secret is required (once per secret)");
    if (processor && m.secrets.empty()) {
        // The store keeps at least one secret per MCA; a processor receives no webhooks, so a
        // random one that nobody knows stands in.
        std::random_device rd;
        std::string unused = "unused_";
        for (int i = 0; i < 32; ++i) unused += "0123456789abcdef"[rd() % 16];
        m.secrets.push_back(unused);
    }
    return with_store(args, ctx, [&](soci_store& store) {
        store.add_mca(m);
        ctx.out << "added MCA " << m.id << " (connector " << m.connector << ", " << m.secrets.size()
                << (m.secrets.size() == 1 ? " secret" : " secrets") << (m.api_key ? ", API key" : "")
                << ") to profile " << m.profile_id << "\n"
                << "webhook path: /v2/webhooks/revenue_recovery/" << m.profile_id << "/" << m.id << "\n";
        return exit_ok;
    });
}

// ---- mca list -----------------------------------------------------------------------------------

namespace {
const flag_spec mca_list_flags[] = {
    {"profile", "ID", "only this profile's MCAs"},
    database_flag,
};
}

const args_spec mca_list_args{
    .flags = mca_list_flags,
    .description = "Lists merchant connector accounts: profile, id, connector, how many secrets, whether\n"
                   "an API key is set, base URL and settings. Secrets are never printed.",
};

int mca_list(const parsed_args& args, context& ctx)
{
    return with_store(args, ctx, [&](soci_store& store) {
        const auto mcas = store.list_mcas(args.value("profile"));
        if (mcas.empty()) {
            ctx.out << "no MCA\n";
            return exit_ok;
        }
        ctx.out << padded("PROFILE", 20) << padded("MCA", 20) << padded("CONNECTOR", 16) << padded("SECRETS", 9)
                << padded("API_KEY", 9) << padded("BASE_URL", 28) << "SETTINGS\n";
        for (const auto& m : mcas)
            ctx.out << padded(m.profile_id, 20) << padded(m.id, 20) << padded(m.connector, 16)
                    << padded(std::to_string(m.secret_count), 9) << padded(m.has_api_key ? "yes" : "no", 9)
                    << padded(m.base_url.value_or("-"), 28) << m.settings << "\n";
        return exit_ok;
    });
}

// ---- mca rotate-secret --------------------------------------------------------------------------

namespace {
const flag_spec mca_rotate_flags[] = {
    {"profile", "ID", "the MCA's profile"},
    {"id", "ID", "the MCA"},
    rotated_secret_flags.argv,
    rotated_secret_flags.file,
    rotated_secret_flags.stdin_flag,
    rotated_secret_flags.env,
    {"keep-old", "", "keep the previous secrets valid for the rotation window (24 h)"},
    database_flag,
};
}

const args_spec mca_rotate_secret_args{
    .flags = mca_rotate_flags,
    .description = "Replaces an MCA's webhook secret. With --keep-old the previous secrets stay valid for\n"
                   "24 hours, so deliveries signed before the platform switched keys still verify.\n"
                   "Give the new secret with --secret-file, --secret-env or --secret-stdin (one value,\n"
                   "one trailing newline dropped); --secret still works but warns.",
};

int mca_rotate_secret(const parsed_args& args, context& ctx)
{
    const auto profile = required(args, "profile");
    const auto id = required(args, "id");
    bool stdin_taken = false;
    const auto given = read_one_secret(args, rotated_secret_flags, ctx.err, std::cin, stdin_taken);
    if (!given) throw usage_error("--secret-file, --secret-env, --secret-stdin or --secret is required");
    const auto& secret = *given;
    const bool keep_old = args.has("keep-old");
    return with_store(args, ctx, [&](soci_store& store) {
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        store.rotate_mca_secret(profile, id, secret, keep_old, now);
        ctx.out << "rotated the webhook secret of MCA " << id;
        if (keep_old)
            ctx.out << "; the previous secrets stay valid until " << iso_time(now + default_rotation_window_seconds);
        ctx.out << "\n";
        return exit_ok;
    });
}

// ---- events -------------------------------------------------------------------------------------

namespace {
const flag_spec events_list_flags[] = {
    {"mca", "ID", "only this MCA's deliveries"},
    {"limit", "N", "at most N events, newest first (default 20)"},
    database_flag,
};
const flag_spec events_replay_flags[] = {
    {"reprocess", "", "run the stored body through the flow again, under a new dedup key, and print the effects"},
    plugin_dir_flag,
    no_bundled_plugins_flag,
    database_flag,
};
} // namespace

const args_spec events_list_args{
    .flags = events_list_flags,
    .description = "Lists received webhooks from the event log, newest first: one line per delivery\n"
                   "(duplicates included) with its event type, action, HTTP status and outcome.",
};

int events_list(const parsed_args& args, context& ctx)
{
    const auto limit = args.value("limit") ? number(*args.value("limit"), "--limit", 1) : 20;
    return with_store(args, ctx, [&](soci_store& store) {
        const auto events = store.list_events(args.value("mca"), static_cast<std::size_t>(limit));
        if (events.empty()) {
            ctx.out << "no event\n";
            return exit_ok;
        }
        for (const auto& e : events)
            ctx.out << e.id << "  " << iso_time(e.received_at) << "  " << e.merchant_connector_id << "  "
                    << e.event_type << "  " << e.action << "  " << e.http_status << "  " << e.outcome << "  "
                    << e.connector_event_id.value_or(e.dedup_key) << "\n";
        return exit_ok;
    });
}

const args_spec events_replay_args{
    .positionals = "ID",
    .min_positionals = 1,
    .max_positionals = 1,
    .flags = events_replay_flags,
    .description = "Prints a stored event as JSON, its raw body included (when it was kept).\n"
                   "With --reprocess it runs the stored body through the flow again instead: the\n"
                   "connector normalizes it (verification is not re-done: the body was verified when\n"
                   "it arrived, and its headers are not stored), the flow applies it under the dedup\n"
                   "key replay:<original dedup key>:<n>, and one JSON line says what it did: outcome,\n"
                   "payment, intent status, attempts and task changes. Needs the master key and the\n"
                   "MCA's connector plugin.",
};

int events_replay(const parsed_args& args, context& ctx)
{
    const auto id = args.positionals().front();
    std::optional<recoupd::plugins> plugins;
    if (args.has("reprocess")) {
        plugins = load_plugins(args, ctx);
        if (!plugins) return exit_failure;
    }
    return with_store(args, ctx, [&](soci_store& store) {
        const auto e = store.find_event(id);
        if (!e) {
            print_error(ctx.err, "unknown event \"" + id + "\"");
            return exit_failure;
        }
        if (plugins) return reprocess_event(store, *plugins, *e, ctx);
        json::object o{{"id", e->id},
                       {"profile_id", e->profile_id},
                       {"merchant_connector_id", e->merchant_connector_id},
                       {"dedup_key", e->dedup_key},
                       {"event_type", e->event_type},
                       {"action", e->action},
                       {"outcome", e->outcome},
                       {"http_status", e->http_status},
                       {"body_digest", e->body_digest},
                       {"received_at", iso_time(e->received_at)}};
        o["connector_event_id"] = e->connector_event_id ? json::value(*e->connector_event_id) : json::value(nullptr);
        o["payment_id"] = e->payment_id ? json::value(*e->payment_id) : json::value(nullptr);
        o["body"] = e->body ? json::value(*e->body) : json::value(nullptr);
        ctx.out << json::serialize(o) << "\n";
        return exit_ok;
    });
}

} // namespace recoupd::cli
