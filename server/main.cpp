// portal-server: the command line of the 任诚办 server.
//   serve    run the HTTP server
//   migrate  apply schema migrations
//   seed     write demo data
//   audit    verify the audit trail
//   backup   copy the database while servers run; restore puts a copy back
//   import-places  add roads and landmarks to the gazetteer (the map's place search)
//   train    learn the category suggestion from the district's tickets
// Every subcommand has --help.

#include <signal.h>
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "server/http/openapi.hpp"
#include "server/http/respond.hpp"
#include "server/http/server.hpp"
#include "server/service/auth_service.hpp"
#include "server/service/demo_stories.hpp"
#include "server/service/history.hpp"
#include "server/service/idempotency.hpp"
#include "server/service/metrics.hpp"
#include "server/service/open311.hpp"
#include "server/service/org.hpp"
#include "server/service/places.hpp"
#include "server/service/rng.hpp"
#include "server/service/seed.hpp"
#include "server/service/stats_service.hpp"
#include "server/service/suggest_service.hpp"
#include "server/service/ticket_service.hpp"
#include "server/service/topic_service.hpp"
#include "server/store/open311_store.hpp"
#include "server/store/stats_store.hpp"
#include "server/store/store.hpp"

namespace {

using namespace portal::server;

// [SECTION] Arguments: --name value and --flag, nothing cleverer.
struct Args {
  std::map<std::string, std::string> values;
  std::vector<std::string> flags;
  std::vector<std::string> positional;  // when the command takes any (a file)
  std::string error;

  bool has(const std::string& f) const {
    for (const auto& x : flags)
      if (x == f) return true;
    return values.count(f) > 0;
  }
  std::string get(const std::string& k, const std::string& def) const {
    auto it = values.find(k);
    return it == values.end() ? def : it->second;
  }
};

Args parse_args(int argc, char** argv, int first, const std::vector<std::string>& flag_names,
                bool positional = false) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "-h") s = "--help";
    if (s.rfind("--", 0) != 0) {
      if (positional && !s.empty() && s[0] != '-') {
        a.positional.push_back(std::move(s));
        continue;
      }
      a.error = "unexpected argument: " + s;
      return a;
    }
    std::string name = s.substr(2);
    if (auto eq = name.find('='); eq != std::string::npos) {
      a.values[name.substr(0, eq)] = name.substr(eq + 1);
      continue;
    }
    bool is_flag = name == "help";
    for (const auto& f : flag_names) is_flag = is_flag || f == name;
    if (is_flag) {
      a.flags.push_back(name);
    } else if (i + 1 < argc) {
      a.values[name] = argv[++i];
    } else {
      a.error = "--" + name + " needs a value";
      return a;
    }
  }
  return a;
}

std::string default_www(const char* argv0) {
  // Next to the binary in the build tree: build/<preset>/server/portal-server → build/<preset>/www.
  std::error_code ec;
  auto exe = std::filesystem::canonical("/proc/self/exe", ec);
  if (ec) exe = argv0;
  return (exe.parent_path().parent_path() / "www").string();
}

void log_line(const char* level, const std::string& msg) {
  std::fprintf(stderr, "{\"level\":\"%s\",\"msg\":\"%s\"}\n", level, msg.c_str());
}

// A database URL as it may be logged: postgres://user:secret@host/db → postgres://user:***@host/db
// (a password given as ?password=... is cut the same way).
std::string without_password(std::string db) {
  const auto scheme = db.find("://");
  if (scheme == std::string::npos) return db;
  const auto at = db.find('@', scheme + 3);
  const auto colon = db.find(':', scheme + 3);
  if (at != std::string::npos && colon != std::string::npos && colon < at)
    db.replace(colon + 1, at - colon - 1, "***");
  if (auto p = db.find("password="); p != std::string::npos) {
    const auto end = db.find('&', p);
    db.replace(p + 9, (end == std::string::npos ? db.size() : end) - p - 9, "***");
  }
  return db;
}

int fail(const portal::core::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.message.c_str());
  return 1;
}

const char* kUsage =
    "usage: portal-server <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve     run the HTTP server\n"
    "  migrate   apply the schema migrations to a database\n"
    "  seed      write demo data (the Rencheng organisation, categories, accounts)\n"
    "  audit     verify the hash-chained audit trail of every ticket\n"
    "  backup    copy the database to a file, safe while servers write\n"
    "  restore   replace a database with the contents of a backup\n"
    "  import-places  add roads and landmarks from a CSV file to the place search\n"
    "  train     learn the category suggestion from the district's tickets\n"
    "\n"
    "--db takes a SQLite file path or a postgres:// (postgresql://) URL.\n"
    "\n"
    "Run 'portal-server <command> --help' for the options of a command.\n";

// [SECTION] migrate
int cmd_migrate(int argc, char** argv) {
  Args a = parse_args(argc, argv, 2, {});
  if (a.has("help")) {
    std::printf(
        "usage: portal-server migrate [--db DB]\n"
        "Applies every schema migration the database lacks.\n"
        "  --db DB     SQLite file or postgres:// URL (default data/portal.db)\n");
    return 0;
  }
  if (!a.error.empty()) return std::fprintf(stderr, "error: %s\n", a.error.c_str()), 2;
  auto store = open_store(a.get("db", "data/portal.db"));
  if (!store) return fail(store.error());
  auto n = (*store)->migrate();
  if (!n) return fail(n.error());
  std::printf("applied %d migration(s); schema version %d\n", *n, (*store)->schema_version());
  return 0;
}

// [SECTION] seed
int cmd_seed(int argc, char** argv) {
  Args a = parse_args(argc, argv, 2, {"demo", "stories"});
  if (a.has("help")) {
    std::printf(
        "usage: portal-server seed --demo [--db DB] [--tickets N] [--years Y] [--stories]\n"
        "                          [--seed S] [--demo-password P]\n"
        "Writes the demo organisation, categories and accounts. Idempotent.\n"
        "  --db DB              SQLite file or postgres:// URL (default data/portal.db)\n"
        "  --demo               write the demo data set\n"
        "  --tickets N          also add N historical tickets spread over the past years,\n"
        "                       ending now: seasons, weekdays, streets that work better\n"
        "                       than others, a few matters growing lately\n"
        "  --years Y            how far back the historical tickets go (1 to 10, default 3)\n"
        "  --stories            also give each demo citizen (cz001..cz020) tickets of their\n"
        "                       own in several states, and gw0001, cs001, ss001, ds01 and\n"
        "                       ud001 a queue with work due soon and overdue; skipped when\n"
        "                       cz001 has tickets already\n"
        "  --seed S             random seed (default 1): the same seed gives the same data\n"
        "  --demo-password P    password of every demo account (default demo12345)\n");
    return 0;
  }
  if (!a.error.empty()) return std::fprintf(stderr, "error: %s\n", a.error.c_str()), 2;
  if (!a.has("demo")) return std::fprintf(stderr, "error: nothing to seed; pass --demo\n"), 2;
  auto store = open_store(a.get("db", "data/portal.db"));
  if (!store) return fail(store.error());
  if (auto n = (*store)->migrate(); !n) return fail(n.error());
  SeedOptions o;
  o.demo = true;
  o.seed = std::strtoull(a.get("seed", "1").c_str(), nullptr, 10);
  o.demo_password = a.get("demo-password", "demo12345");
  const long long count = std::atoll(a.get("tickets", "0").c_str());
  if (count < 0 || count > 10'000'000)
    return std::fprintf(stderr, "error: --tickets must be 0 to 10000000\n"), 2;
  const int years = std::atoi(a.get("years", "3").c_str());
  if (years < 1 || years > 10) return std::fprintf(stderr, "error: --years must be 1 to 10\n"), 2;
  const auto started = std::chrono::steady_clock::now();
  auto progress = [&](const std::string& step, std::int64_t done, std::int64_t total) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const int pct = total ? static_cast<int>(100 * done / total) : 100;
    std::fprintf(stderr, "\rseed: %-13s [%-30.*s] %3d%% %lld/%lld  %.1fs", step.c_str(),
                 pct * 30 / 100, "##############################", pct,
                 static_cast<long long>(done), static_cast<long long>(total), secs);
    if (done == total) std::fprintf(stderr, "\n");
  };
  if (auto ok = seed_demo(**store, o, progress); !ok) return fail(ok.error());
  const auto now = system_now()();
  if (count > 0 || a.has("stories")) {
    auto org = OrgDirectory::load(**store);
    if (!org) return fail(org.error());
    // The stories first: their scheduler steps then meet only their own tickets.
    if (a.has("stories")) {
      auto told = seed_demo_stories(**store, *org, StoryOptions{o.seed, now}, progress);
      if (!told) return fail(told.error());
      if (told->skipped) std::fprintf(stderr, "seed: cz001 has tickets already; no stories\n");
    }
    if (count > 0) {
      TicketService tickets(**store, *org, system_now());
      HistoryOptions h;
      h.count = count;
      h.seed = o.seed;
      h.now = now;
      h.years = years;
      if (auto ok = seed_history(**store, tickets, h, progress); !ok) return fail(ok.error());
    }
  }
  std::printf("seeded demo data\n");
  return 0;
}

// [SECTION] audit
int cmd_audit(int argc, char** argv) {
  const std::string sub = argc > 2 ? argv[2] : "";
  Args a = parse_args(argc, argv, sub == "verify" ? 3 : 2, {});
  if (a.has("help") || sub != "verify") {
    std::printf(
        "usage: portal-server audit verify [--db DB]\n"
        "Checks every ticket's hash-chained event trail. Exits 0 only when all verify;\n"
        "otherwise names each ticket whose chain is broken and the first bad event.\n"
        "  --db DB     SQLite file or postgres:// URL (default data/portal.db)\n");
    return a.has("help") ? 0 : 2;
  }
  if (!a.error.empty()) return std::fprintf(stderr, "error: %s\n", a.error.c_str()), 2;
  auto store = open_store(a.get("db", "data/portal.db"));
  if (!store) return fail(store.error());
  auto org = OrgDirectory::load(**store);
  if (!org) return fail(org.error());
  TicketService tickets(**store, *org, system_now());
  auto r = tickets.verify_audit();
  if (!r) return fail(r.error());
  for (const auto& [number, check] : r->failures)
    std::printf("FAIL %s: event %lld (%s)\n", number.c_str(), static_cast<long long>(check.bad_seq),
                check.reason.c_str());
  std::printf("%lld tickets, %lld events, %zu broken chain(s)\n",
              static_cast<long long>(r->tickets), static_cast<long long>(r->events),
              r->failures.size());
  return r->failures.empty() ? 0 : 1;
}

// [SECTION] backup and restore
// Progress on stderr: a bar that redraws itself, ended by a newline when complete.
BackupProgress progress_bar(const char* what) {
  auto started = std::chrono::steady_clock::now();
  return [what, started](std::int64_t done, std::int64_t total) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const int pct = total ? static_cast<int>(100 * done / total) : 100;
    std::fprintf(stderr, "\r%s: [%-30.*s] %3d%%  %.1fs", what, pct * 30 / 100,
                 "##############################", pct, secs);
    if (done >= total) std::fprintf(stderr, "\n");
  };
}

int cmd_backup(int argc, char** argv) {
  Args a = parse_args(argc, argv, 2, {"quiet"});
  if (a.has("help")) {
    std::printf(
        "usage: portal-server backup --to FILE [--db DB] [--quiet]\n"
        "Copies the database into FILE while servers go on writing: one consistent\n"
        "snapshot. SQLite: the online backup API, FILE is a SQLite database. PostgreSQL:\n"
        "pg_dump, FILE is a custom-format archive (pg_restore reads it).\n"
        "  --db DB     SQLite file or postgres:// URL (default data/portal.db)\n"
        "  --to FILE   the backup to write (replaced when it exists)\n"
        "  --quiet     no progress on stderr\n");
    return 0;
  }
  if (!a.error.empty()) return std::fprintf(stderr, "error: %s\n", a.error.c_str()), 2;
  const std::string to = a.get("to", "");
  if (to.empty()) return std::fprintf(stderr, "error: --to FILE is required\n"), 2;
  const std::string db = a.get("db", "data/portal.db");
  auto ok = backup_database(db, to, a.has("quiet") ? BackupProgress{} : progress_bar("backup"));
  if (!ok) return fail(ok.error());
  std::printf("backed up to %s\n", to.c_str());
  return 0;
}

int cmd_restore(int argc, char** argv) {
  Args a = parse_args(argc, argv, 2, {"quiet"});
  if (a.has("help")) {
    std::printf(
        "usage: portal-server restore --from FILE [--db DB] [--quiet]\n"
        "Replaces the contents of the database with the backup in FILE (made by\n"
        "'portal-server backup' of the same backend), then applies any newer migrations.\n"
        "Stop the servers that use the database first.\n"
        "  --db DB       SQLite file or postgres:// URL (default data/portal.db); a\n"
        "                PostgreSQL database must exist (createdb), it may be empty\n"
        "  --from FILE   the backup to read\n"
        "  --quiet       no progress on stderr\n");
    return 0;
  }
  if (!a.error.empty()) return std::fprintf(stderr, "error: %s\n", a.error.c_str()), 2;
  const std::string from = a.get("from", "");
  if (from.empty()) return std::fprintf(stderr, "error: --from FILE is required\n"), 2;
  const std::string db = a.get("db", "data/portal.db");
  auto ok = restore_database(from, db, a.has("quiet") ? BackupProgress{} : progress_bar("restore"));
  if (!ok) return fail(ok.error());
  auto store = open_store(db);
  if (!store) return fail(store.error());
  auto n = (*store)->migrate();
  if (!n) return fail(n.error());
  std::printf("restored %s; schema version %d\n", from.c_str(), (*store)->schema_version());
  return 0;
}

// [SECTION] import-places
int cmd_import_places(int argc, char** argv) {
  Args a = parse_args(argc, argv, 2, {"replace", "quiet"}, /*positional=*/true);
  if (a.has("help")) {
    std::printf(
        "usage: portal-server import-places [--db DB] [--replace] [--quiet] FILE.csv\n"
        "Adds the roads and landmarks of FILE.csv to the gazetteer that the map's place\n"
        "search (GET /api/v1/places) finds. FILE.csv is UTF-8 CSV whose first line names\n"
        "the columns name,kind,lat,lng (or 名称,类型,纬度,经度), in any order:\n"
        "  name   the place's name, at most 50 characters\n"
        "  kind   road or landmark (道路, 地标)\n"
        "  lat    latitude, e.g. 35.4152\n"
        "  lng    longitude, e.g. 116.5873\n"
        "Every row is checked first; the point must lie in one of the district's grids\n"
        "(seed or import the organisation first). Errors are listed by row and line, and\n"
        "then nothing is imported. A place already in the gazetteer under the same name\n"
        "and kind is moved to the new point. Running servers pick the places up within a\n"
        "minute.\n"
        "  --db DB      SQLite file or postgres:// URL (default data/portal.db)\n"
        "  --replace    replace the whole gazetteer with the file's places\n"
        "  --quiet      no progress on stderr\n");
    return 0;
  }
  if (!a.error.empty()) return std::fprintf(stderr, "error: %s\n", a.error.c_str()), 2;
  if (a.positional.size() != 1)
    return std::fprintf(stderr, "error: name one CSV file to import (see --help)\n"), 2;
  const std::string file = a.positional.front();
  const bool quiet = a.has("quiet");
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec)
    return std::fprintf(stderr, "error: cannot read %s: %s\n", file.c_str(), ec.message().c_str()),
           1;
  std::string body;
  {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) return std::fprintf(stderr, "error: cannot open %s\n", file.c_str()), 1;
    body.resize(size);
    const std::size_t got = std::fread(body.data(), 1, body.size(), f);
    std::fclose(f);
    body.resize(got);
  }
  auto store = open_store(a.get("db", "data/portal.db"));
  if (!store) return fail(store.error());
  if (auto n = (*store)->migrate(); !n) return fail(n.error());
  auto org = OrgDirectory::load(**store);
  if (!org) return fail(org.error());
  if ((*org)->data().grids.empty())
    return std::fprintf(stderr,
                        "error: the database has no organisation to place the places in: run "
                        "'portal-server seed --demo' first\n"),
           1;
  if (!quiet)
    std::fprintf(stderr, "import-places: checking %s (%zu bytes)\n", file.c_str(), body.size());
  const PlaceImportBatch batch = parse_places_csv(body, **org, 10'000'000);
  if (!batch.errors.empty()) {
    auto errors = place_import_errors(batch.errors);
    for (const auto& e : errors) {
      const auto& err = e["error"];
      const std::string field = err.value("field", "");
      std::fprintf(stderr, "%s: row %d (line %d)%s%s: %s (%s)\n", file.c_str(), e["row"].get<int>(),
                   e["line"].get<int>(), field.empty() ? "" : ", ", field.c_str(),
                   err.value("message", "").c_str(), err.value("code", "").c_str());
    }
    if (batch.errors.size() > errors.size())
      std::fprintf(stderr, "... and %zu more\n", batch.errors.size() - errors.size());
    std::fprintf(stderr, "error: %zu error(s); nothing imported\n", batch.errors.size());
    return 1;
  }
  auto written =
      (*store)->write_places(batch.rows, a.has("replace"),
                             quiet ? RowProgress{} : RowProgress(progress_bar("import-places")));
  if (!written) return fail(written.error());
  std::printf("imported %lld place(s)%s\n", static_cast<long long>(*written),
              a.has("replace") ? "; the gazetteer was replaced" : "");
  return 0;
}

// [SECTION] train
// Accuracy and the most confused pairs, category names alongside the codes.
void print_evaluation(const char* what, const Evaluation& e,
                      const std::map<std::string, std::string>& names) {
  std::printf("%s: %lld examples, top-1 %.1f%%, top-3 %.1f%%\n", what,
              static_cast<long long>(e.examples), 100 * e.top1_rate(), 100 * e.top3_rate());
  if (e.confused.empty()) return;
  std::printf("  most confused (true -> predicted: count):\n");
  auto name = [&](const std::string& code) {
    auto it = names.find(code);
    return it == names.end() ? code : code + " " + it->second;
  };
  for (const auto& c : e.confused)
    std::printf("    %s -> %s: %lld\n", name(c.truth).c_str(), name(c.predicted).c_str(),
                static_cast<long long>(c.count));
}

portal::core::Json evaluation_json(const Evaluation& e) {
  portal::core::Json pairs = portal::core::Json::array();
  for (const auto& c : e.confused)
    pairs.push_back({{"true", c.truth}, {"predicted", c.predicted}, {"count", c.count}});
  return {{"examples", e.examples},
          {"top1", e.top1_rate()},
          {"top3", e.top3_rate()},
          {"confused", std::move(pairs)}};
}

int cmd_train(int argc, char** argv) {
  namespace tc = portal::core::textclass;
  Args a = parse_args(argc, argv, 2, {"quiet"});
  if (a.has("help")) {
    std::printf(
        "usage: portal-server train [--db DB] [--holdout F] [--eval FILE.tsv] [--seed S]\n"
        "                           [--limit N] [--quiet]\n"
        "Learns the category suggestion (POST /api/v1/suggest) from the district's\n"
        "tickets: the most recent resolved or closed ones and those a handler\n"
        "recategorised (never rejected or merged ones). Holds out a share of them to\n"
        "report top-1 and top-3 accuracy and the most confused categories, then learns\n"
        "from all of them and stores the model in the database, where running servers\n"
        "pick it up within seconds.\n"
        "  --db DB         SQLite file or postgres:// URL (default data/portal.db)\n"
        "  --holdout F     share of the tickets held out for the accuracy (default 0.2;\n"
        "                  0 skips it)\n"
        "  --eval FILE     also report the accuracy on FILE: UTF-8 lines\n"
        "                  category<TAB>description, # starts a comment\n"
        "  --seed S        random seed of the shuffle and the training (default 1): the\n"
        "                  same data and seed give the same model\n"
        "  --limit N       learn from at most the N most recent tickets (default 200000)\n"
        "  --quiet         no progress on stderr\n");
    return 0;
  }
  if (!a.error.empty()) return std::fprintf(stderr, "error: %s\n", a.error.c_str()), 2;
  char* end = nullptr;
  const std::string holdout_text = a.get("holdout", "0.2");
  const double holdout = std::strtod(holdout_text.c_str(), &end);
  if (holdout_text.empty() || *end != '\0' || !(holdout >= 0 && holdout <= 0.5))
    return std::fprintf(stderr, "error: --holdout must be a number from 0 to 0.5\n"), 2;
  const std::string seed_text = a.get("seed", "1");
  const unsigned long long seed = std::strtoull(seed_text.c_str(), &end, 10);
  if (seed_text.empty() || *end != '\0')
    return std::fprintf(stderr, "error: --seed must be a whole number\n"), 2;
  const std::string limit_text = a.get("limit", "200000");
  const long long limit = std::strtoll(limit_text.c_str(), &end, 10);
  if (limit_text.empty() || *end != '\0' || limit < 1 || limit > 10'000'000)
    return std::fprintf(stderr, "error: --limit must be 1 to 10000000\n"), 2;
  const bool quiet = a.has("quiet");

  // The evaluation file first: a typo in its name should not cost a training run.
  std::vector<tc::Example> eval_set;
  const std::string eval_file = a.get("eval", "");
  if (!eval_file.empty()) {
    std::FILE* f = std::fopen(eval_file.c_str(), "rb");
    if (!f) return std::fprintf(stderr, "error: cannot open %s\n", eval_file.c_str()), 1;
    std::string text;
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
    auto parsed = parse_labelled_tsv(text);
    if (!parsed)
      return std::fprintf(stderr, "error: %s: %s\n", eval_file.c_str(),
                          parsed.error().message.c_str()),
             1;
    eval_set = std::move(*parsed);
  }

  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  auto store = open_store(a.get("db", "data/portal.db"));
  if (!store) return fail(store.error());
  if (auto n = (*store)->migrate(); !n) return fail(n.error());
  std::map<std::string, std::string> names;
  if (auto cats = (*store)->categories(); cats)
    for (const auto& c : *cats) names[c.code] = c.name;
  if (!quiet) std::fprintf(stderr, "train: reading tickets\n");
  auto rows = (*store)->training_examples(limit);
  if (!rows) return fail(rows.error());
  std::vector<tc::Example> examples;
  examples.reserve(rows->size());
  for (auto& r : *rows) examples.push_back({std::move(r.category), std::move(r.description)});
  rows->clear();
  std::map<std::string, std::int64_t> per_category;
  for (const auto& e : examples) ++per_category[e.label];
  std::printf("%zu examples in %zu categories (%.1fs)\n", examples.size(), per_category.size(),
              elapsed());
  if (examples.size() < 20 || per_category.size() < 2)
    return std::fprintf(stderr,
                        "error: too few tickets to learn from: at least 20 resolved or closed "
                        "tickets in 2 categories are needed\n"),
           1;
  // The order of the database says nothing; a shuffle by the seed makes the held-out
  // share a fair sample and the run repeatable.
  Rng rng(seed * 0x9E3779B97F4A7C15ull + 3);
  for (std::size_t i = examples.size(); i > 1; --i)
    std::swap(examples[i - 1],
              examples[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(i)))]);

  tc::TrainOptions options;
  options.seed = seed;
  auto progress = [&](const char* what) {
    return [what, quiet, &elapsed](int epoch, int epochs) {
      if (quiet) return;
      std::fprintf(stderr, "\rtrain: %-10s epoch %d/%d  %.1fs", what, epoch, epochs, elapsed());
      if (epoch == epochs) std::fprintf(stderr, "\n");
    };
  };
  portal::core::Json metrics = {{"examples", examples.size()}, {"seed", seed}};
  const auto held = static_cast<std::size_t>(static_cast<double>(examples.size()) * holdout);
  if (held > 0) {
    std::vector<tc::Example> train_part(examples.begin(),
                                        examples.end() - static_cast<std::ptrdiff_t>(held));
    std::vector<tc::Example> test_part(examples.end() - static_cast<std::ptrdiff_t>(held),
                                       examples.end());
    options.progress = progress("held-out");
    const tc::Model m = tc::train(train_part, options);
    const Evaluation e = evaluate(m, test_part);
    print_evaluation("held out", e, names);
    metrics["held_out"] = evaluation_json(e);
  }
  options.progress = progress("all");
  const tc::Model model = tc::train(examples, options);
  if (!eval_set.empty()) {
    const Evaluation e = evaluate(model, eval_set);
    print_evaluation(eval_file.c_str(), e, names);
    metrics["eval"] = evaluation_json(e);
    metrics["eval"]["file"] = eval_file;
  }
  metrics["features"] = model.features();
  metrics["categories"] = model.labels().size();
  SuggestModelRow row;
  row.created_at = system_now()();
  row.examples = static_cast<std::int64_t>(examples.size());
  row.metrics = metrics.dump();
  row.model = model.serialize();
  auto version = (*store)->save_suggest_model(row);
  if (!version) return fail(version.error());
  std::printf("stored model version %lld: %zu bytes, %zu features, %zu categories (%.1fs)\n",
              static_cast<long long>(*version), row.model.size(), model.features(),
              model.labels().size(), elapsed());
  return 0;
}

// [SECTION] serve
int cmd_serve(int argc, char** argv) {
  Args a = parse_args(argc, argv, 2, {"bench"});
  if (a.has("help")) {
    std::printf(
        "usage: portal-server serve [--port N] [--host H] [--db DB] [--www DIR]\n"
        "                           [--threads N] [--frame-ancestors ORIGINS] [--bench]\n"
        "Runs the HTTP server until SIGINT or SIGTERM.\n"
        "  --port N                 TCP port (default 8080; 0 picks a free one)\n"
        "  --host H                 address to bind (default 0.0.0.0)\n"
        "  --db DB                  SQLite file or postgres:// URL (default data/portal.db),\n"
        "                           migrated on start\n"
        "  --www DIR                document root (default: the built www next to the binary)\n"
        "  --threads N              worker threads for complete requests (default 128); idle,\n"
        "                           slow and streaming connections are held by an event loop\n"
        "  --frame-ancestors LIST   space-separated origins allowed to embed the portal\n"
        "  --bench                  add the benchmark echo route\n"
        "  --scheduler-interval S   seconds between SLA scheduler runs (default 60)\n"
        "  --rate-limit-scale K     multiply the per-address rate limits and stream caps\n"
        "                           (default 1)\n"
        "  --streams-per-address N, --streams-per-account N, --streams-per-ticket N\n"
        "                           live streams open at once (defaults 128, 16, 8)\n"
        "  --header-timeout S       seconds a request may take to send its head; its body\n"
        "                           gets as long again plus 1 s per 8 KiB (default 10)\n"
        "  --unclaimed-per-account N:MIB\n"
        "                           photos uploaded and not yet used by a ticket that one\n"
        "                           account may hold (default 30:50)\n"
        "  --unclaimed-per-address N:MIB\n"
        "                           the same per client address (default 100:200)\n"
        "  --trusted-proxy LIST     comma-separated addresses of balancers in front (nginx):\n"
        "                           their requests count by the last X-Forwarded-For hop\n"
        "  --metrics-allow LIST     comma-separated networks (CIDR, IPv4 or IPv6, e.g.\n"
        "                           10.0.0.0/8,fd00::/8) that may read GET /metrics\n"
        "                           (default 127.0.0.0/8,::1: loopback only); the client\n"
        "                           is the socket's peer, or the address a trusted proxy\n"
        "                           names\n"
        "  --notify-webhook URL     the SMS gateway's webhook (http or https): each message\n"
        "                           of the notification outbox is POSTed to it, signed\n"
        "                           (API.md \"Notifications\"); without it none are written\n"
        "  --notify-secret SECRET   the shared secret of the signatures (at least 16\n"
        "                           characters; or the environment's PORTAL_NOTIFY_SECRET)\n"
        "  --public-url URL         the portal's address as citizens reach it, for the\n"
        "                           links in messages (default http://localhost:PORT)\n"
        "  --notify-backoff S       seconds before the first retry of a message, doubling\n"
        "                           after each failure up to an hour (default 30); retried\n"
        "                           for 24 hours, then marked failed\n"
        "  --satisfaction-threshold N\n"
        "                           a rating counts as satisfied in the satisfaction rate\n"
        "                           when its satisfaction (1-5) is at least N (default 3)\n"
        "  --tiles TEMPLATE         an XYZ raster basemap (Web Mercator) under the grid map,\n"
        "                           fetched by browsers: an http(s) URL with {z}, {x}, {y},\n"
        "                           optionally {s} (a subdomain) and {r} (@2x on dense\n"
        "                           screens), e.g. https://{s}.tiles.example/{z}/{x}/{y}{r}.png;\n"
        "                           its hosts join the Content-Security-Policy\n"
        "  --tiles-attribution TEXT the tiles' credit shown on the map (default: their host)\n"
        "  --tiles-subdomains LIST  what {s} takes, comma-separated (default a,b,c)\n");
    return 0;
  }
  if (!a.error.empty()) return std::fprintf(stderr, "error: %s\n", a.error.c_str()), 2;
  StatsOptions stats_options;
  if (a.has("satisfaction-threshold")) {
    const std::string v = a.get("satisfaction-threshold", "");
    if (v.size() != 1 || v[0] < '1' || v[0] > '5')
      return std::fprintf(stderr, "error: --satisfaction-threshold must be 1 to 5\n"), 2;
    stats_options.satisfaction_threshold = v[0] - '0';
  }

  std::optional<Basemap> basemap;
  if (a.has("tiles")) {
    const std::optional<std::string> attribution =
        a.has("tiles-attribution") ? std::optional<std::string>(a.get("tiles-attribution", ""))
                                   : std::nullopt;
    const std::optional<std::string> subdomains =
        a.has("tiles-subdomains") ? std::optional<std::string>(a.get("tiles-subdomains", ""))
                                  : std::nullopt;
    auto b = parse_basemap(a.get("tiles", ""), attribution, subdomains);
    if (!b) return std::fprintf(stderr, "error: %s\n", b.error().message.c_str()), 2;
    basemap = std::move(*b);
  } else if (a.has("tiles-attribution") || a.has("tiles-subdomains")) {
    return std::fprintf(stderr, "error: --tiles-attribution and --tiles-subdomains need --tiles\n"),
           2;
  }

  // Notifications: a webhook needs a secret to sign with.
  NotifyConfig notify;
  DeliveryOptions delivery;
  notify.webhook = a.get("notify-webhook", "");
  notify.secret = a.get("notify-secret", "");
  if (notify.secret.empty())
    if (const char* e = std::getenv("PORTAL_NOTIFY_SECRET")) notify.secret = e;
  notify.public_url = a.get("public-url", "");
  if (!notify.webhook.empty()) {
    if (notify.webhook.rfind("http://", 0) != 0 && notify.webhook.rfind("https://", 0) != 0)
      return std::fprintf(stderr, "error: --notify-webhook must be an http:// or https:// URL\n"),
             2;
    if (notify.secret.size() < 16)
      return std::fprintf(stderr,
                          "error: --notify-webhook needs --notify-secret (or "
                          "PORTAL_NOTIFY_SECRET) of at least 16 characters\n"),
             2;
  } else if (a.has("notify-secret") || a.has("notify-backoff")) {
    return std::fprintf(stderr,
                        "error: --notify-secret and --notify-backoff need --notify-webhook\n"),
           2;
  }
  if (!notify.public_url.empty() && notify.public_url.rfind("http://", 0) != 0 &&
      notify.public_url.rfind("https://", 0) != 0)
    return std::fprintf(stderr, "error: --public-url must be an http:// or https:// URL\n"), 2;
  if (a.has("notify-backoff")) {
    char* end = nullptr;
    const std::string v = a.get("notify-backoff", "");
    const double secs = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(secs >= 0.1 && secs <= 3600))
      return std::fprintf(stderr, "error: --notify-backoff must be 0.1 to 3600 seconds\n"), 2;
    delivery.backoff = std::chrono::milliseconds(static_cast<std::int64_t>(secs * 1000));
  }

  NetworkAllowList metrics_readers = NetworkAllowList::loopback();
  if (a.has("metrics-allow")) {
    auto list = NetworkAllowList::parse(a.get("metrics-allow", ""));
    if (!list) return std::fprintf(stderr, "error: %s\n", list.error().message.c_str()), 2;
    metrics_readers = std::move(*list);
  }

  // Signals are taken by a dedicated thread so that stopping is orderly.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::string db = a.get("db", "data/portal.db");
  if (db.rfind("postgres", 0) != 0)
    if (auto parent = std::filesystem::path(db).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
  // Declared before the store: the store's watcher thread publishes into it until
  // the store closes.
  EventHub hub;
  auto store = open_store(db);
  if (!store) return fail(store.error());
  if (auto n = (*store)->migrate(); !n) return fail(n.error());

  http::HttpConfig config;
  config.host = a.get("host", "0.0.0.0");
  config.port = std::atoi(a.get("port", "8080").c_str());
  config.www_dir = a.get("www", default_www(argv[0]));
  config.threads =
      static_cast<std::size_t>(std::max(2, std::atoi(a.get("threads", "128").c_str())));
  config.frame_ancestors = a.get("frame-ancestors", "");
  config.bench = a.has("bench");
  config.basemap = basemap;
  config.rate_limit_scale = std::atof(a.get("rate-limit-scale", "1").c_str());
  if (!(config.rate_limit_scale > 0)) config.rate_limit_scale = 1;
  {
    // Tests and benchmarks come from one address: their scale lifts the stream caps too.
    auto scaled = [&](std::size_t n) {
      return static_cast<std::size_t>(std::clamp(n * config.rate_limit_scale, 1.0, 1e9));
    };
    config.streams.per_address = scaled(config.streams.per_address);
    config.streams.per_account = scaled(config.streams.per_account);
    config.streams.per_ticket = scaled(config.streams.per_ticket);
    // Whole numbers from 1; anything else names the option and stops.
    bool bad = false;
    auto positive = [&](const char* name, std::size_t& out) {
      if (!a.has(name)) return;
      const std::string v = a.get(name, "");
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1 || n > 1'000'000) {
        std::fprintf(stderr, "error: --%s must be a whole number from 1 to 1000000\n", name);
        bad = true;
        return;
      }
      out = static_cast<std::size_t>(n);
    };
    positive("streams-per-address", config.streams.per_address);
    positive("streams-per-account", config.streams.per_account);
    positive("streams-per-ticket", config.streams.per_ticket);
    std::size_t header_seconds = 0;
    positive("header-timeout", header_seconds);
    if (bad) return 2;
    if (header_seconds) {
      config.front.header_timeout = std::chrono::seconds(header_seconds);
      config.front.body_grace = config.front.header_timeout;
    }
  }
  // Every open connection is a descriptor: take all the process may have.
  if (rlimit r{}; ::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
  {
    std::vector<std::string> proxies;
    std::string list = a.get("trusted-proxy", "");
    for (std::size_t start = 0; start < list.size();) {
      auto end = list.find(',', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) proxies.push_back(list.substr(start, end - start));
      start = end + 1;
    }
    http::set_trusted_proxies(std::move(proxies));
  }

  UploadLimits upload_limits;
  for (auto [flag, count, bytes] :
       {std::tuple{"unclaimed-per-account", &upload_limits.per_account_count,
                   &upload_limits.per_account_bytes},
        std::tuple{"unclaimed-per-address", &upload_limits.per_address_count,
                   &upload_limits.per_address_bytes}}) {
    if (!a.has(flag)) continue;
    long long n = 0, mib = 0;
    if (std::sscanf(a.get(flag, "").c_str(), "%lld:%lld", &n, &mib) != 2 || n < 1 || mib < 1)
      return std::fprintf(stderr, "error: --%s must be N:MIB (both at least 1)\n", flag), 2;
    *count = n;
    *bytes = mib << 20;
  }

  auto org = OrgDirectory::load(**store);
  if (!org) return fail(org.error());
  if ((*org)->data().grids.empty())
    log_line("warn", "the database has no organisation: run 'portal-server seed --demo'");
  TicketService tickets(**store, *org, system_now());
  tickets.set_upload_limits(upload_limits);
  AuthService auth(**store, system_now());
  auth.set_org(org->get());
  Store& data = **store;
  Metrics metrics(http::openapi_paths(), std::move(metrics_readers));
  tickets.set_listener([&hub, &data, &metrics](const TicketRecord& t, const std::string& action) {
    if (action == "submit") metrics.ticket_created();
    hub.publish(live_event_of(t, action, data));
  });
  // Changes committed by other instances over the same database reach this one's
  // streams too.
  auto relay = [&data, &hub](const std::string& number, const std::string& action) {
    if (auto t = data.find_ticket(number); t && *t) hub.publish(live_event_of(**t, action, data));
  };
  if (auto ok = data.watch_changes(relay); !ok) return fail(ok.error());
  // Over PostgreSQL the instance that redeems a stream ticket need not be the one that
  // issued it.
  if (db.rfind("postgres", 0) == 0) hub.share_tickets_through(&data, system_now());
  // Statistics and Open311 read through their own connections (with SQLite, WAL lets
  // them run beside the writer).
  auto stats_store = open_stats_store(db, 2);
  if (!stats_store) return fail(stats_store.error());
  StatsService stats(**stats_store, **store, *org, system_now(), stats_options);
  TopicService topics(**store, tickets, *org, system_now());
  auto open311_store = open_open311_store(db);
  if (!open311_store) return fail(open311_store.error());
  Open311Service open311(**open311_store, tickets, auth);
  IdempotencyService idempotency(**store, system_now());
  PlaceService places(**store, *org);
  if (auto ok = places.load(); !ok) return fail(ok.error());
  // The category suggestion: the stored model now, and a newer one within seconds of
  // `portal-server train` storing it.
  SuggestService suggest(**store);
  if (auto ok = suggest.refresh(); !ok) log_line("warn", "suggest: " + ok.error().message);
  suggest.start_polling(std::chrono::milliseconds(2000),
                        [](const std::string& m) { log_line("info", m); });
  http::Services services{**store, tickets, auth, hub};
  services.idempotency = &idempotency;
  services.stats = &stats;
  services.open311 = &open311;
  services.topics = &topics;
  services.places = &places;
  services.suggest = &suggest;
  services.metrics = &metrics;
  // Notifications: written with the changes that cause them, delivered by a worker of
  // this instance (with others over PostgreSQL, each message by one of them).
  NotificationService notifications(**store, *org, system_now(), notify);
  Notifier notifier(
      **store, notifications, delivery, [](const char* level, const portal::core::Json& f) {
        portal::core::Json line = {{"level", level}};
        line.update(f);
        std::fprintf(
            stderr, "%s\n",
            line.dump(-1, ' ', false, portal::core::Json::error_handler_t::replace).c_str());
      });
  services.notifications = &notifications;
  if (notifications.enabled()) {
    notifications.set_written_hook([&notifier] { notifier.wake(); });
    tickets.set_notifications(&notifications);
    services.deliveries = &notifier.counters();
  }
  http::HttpServer server(config, services);
  const int port = server.bind();
  if (port < 0) {
    std::fprintf(stderr, "error: cannot bind %s:%d\n", config.host.c_str(), config.port);
    return 1;
  }
  if (notify.public_url.empty())
    notifications.set_public_url("http://localhost:" + std::to_string(port));
  if (notifications.enabled()) {
    notifier.start();
    log_line("info", "notifications: delivering to the webhook; links under " +
                         notifications.config().public_url);
  }
  std::thread stopper([&server, &hub, sigs] {
    int sig = 0;
    sigwait(&sigs, &sig);
    log_line("info", "stopping");
    hub.close_all();  // streams end
    server.stop();
  });
  std::printf("portal-server listening on http://localhost:%d/ (db %s, www %s)\n", port,
              without_password(db).c_str(), config.www_dir.c_str());
  std::fflush(stdout);
  // The SLA scheduler: escalations, overdue flags and automatic closing, each minute.
  std::mutex sched_mu;
  std::condition_variable sched_cv;
  bool stopping = false;
  const int interval = std::max(1, std::atoi(a.get("scheduler-interval", "60").c_str()));
  std::thread scheduler([&] {
    std::unique_lock lock(sched_mu);
    // Idempotency keys are kept a day, and forgotten within the hour after.
    std::chrono::steady_clock::time_point last_purge{};
    while (!stopping) {
      lock.unlock();
      auto r = tickets.run_scheduler();
      if (r && (r->escalated || r->flagged_overdue || r->closed || r->notifications))
        log_line("info", "scheduler: escalated " + std::to_string(r->escalated) + ", overdue " +
                             std::to_string(r->flagged_overdue) + ", closed " +
                             std::to_string(r->closed) + ", reminders and warnings " +
                             std::to_string(r->notifications));
      if (!r) log_line("error", "scheduler: " + r.error().message);
      // Places another instance imported.
      if (auto ok = places.refresh(); !ok) log_line("warn", "places: " + ok.error().message);
      // Photos that no ticket claimed within the hour.
      if (auto purged = tickets.purge_unclaimed_attachments(); purged && *purged > 0)
        log_line("info", "unclaimed photos deleted: " + std::to_string(*purged));
      if (std::chrono::steady_clock::now() - last_purge >= std::chrono::hours(1)) {
        last_purge = std::chrono::steady_clock::now();
        if (auto n = idempotency.purge(); n && *n)
          log_line("info", "idempotency keys forgotten: " + std::to_string(*n));
        // Delivered messages are kept 30 days for the operator, then forgotten.
        if (auto n = data.purge_notifications(system_now()() - std::chrono::hours(24 * 30), 10000);
            n && *n)
          log_line("info", "delivered notifications forgotten: " + std::to_string(*n));
      }
      lock.lock();
      sched_cv.wait_for(lock, std::chrono::seconds(interval), [&] { return stopping; });
    }
  });
  server.listen();
  {
    std::lock_guard lock(sched_mu);
    stopping = true;
  }
  sched_cv.notify_all();
  scheduler.join();
  notifier.stop();
  // listen() also returns on a bind failure; make sure the stopper ends.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  log_line("info", "stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return std::fprintf(stderr, "error: libsodium failed to start\n"), 1;
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "serve") return cmd_serve(argc, argv);
  if (cmd == "migrate") return cmd_migrate(argc, argv);
  if (cmd == "seed") return cmd_seed(argc, argv);
  if (cmd == "audit") return cmd_audit(argc, argv);
  if (cmd == "backup") return cmd_backup(argc, argv);
  if (cmd == "restore") return cmd_restore(argc, argv);
  if (cmd == "import-places") return cmd_import_places(argc, argv);
  if (cmd == "train") return cmd_train(argc, argv);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") return std::printf("%s", kUsage), 0;
  std::fprintf(stderr, "%s", kUsage);
  return 2;
}
