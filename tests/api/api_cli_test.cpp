// The command line: --help everywhere, migrate, seed, a clean stop on SIGTERM.
#include <gtest/gtest.h>

#include "tests/api/server_process.hpp"

using portal::test::ServerProcess;

TEST(Cli, EverySubcommandHasHelpAndStopsCleanly) {
  ServerProcess s;
  EXPECT_EQ(s.run({"--help"}), 0);
  for (const char* cmd : {"serve", "migrate", "seed"}) EXPECT_EQ(s.run({cmd, "--help"}), 0) << cmd;
  EXPECT_EQ(s.run({"no-such-command"}), 2);
  EXPECT_EQ(s.run({"seed", "--db", s.db()}), 2);  // nothing to seed without --demo
  EXPECT_EQ(s.run({"migrate", "--db", s.db()}), 0);
  EXPECT_EQ(s.run({"seed", "--db", s.db(), "--demo"}), 0);  // idempotent
  s.stop();
  EXPECT_EQ(s.exit_status(), 0);
}
