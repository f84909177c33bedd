// The command line: --help everywhere, migrate, seed, a clean stop on SIGTERM.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

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
  // A limit that is no whole number stops the server before it serves.
  for (const char* flag : {"--streams-per-account", "--streams-per-address", "--streams-per-ticket",
                           "--header-timeout"})
    for (const char* bad : {"abc", "0", "-3", "5x"})
      EXPECT_EQ(s.run({"serve", "--db", s.db(), "--port", "0", flag, bad}), 2) << flag << bad;
  s.stop();
  EXPECT_EQ(s.exit_status(), 0);
}

// The listening socket: a queue for bursts of new connections far longer than the 5 that
// cpp-httplib asks for, and no second server sharing the port (no SO_REUSEPORT).
TEST(Cli, TheListeningSocketHasALongQueueAndIsNotShared) {
  ServerProcess s;
  const std::string cmd = "ss -Hltn 'sport = :" + std::to_string(s.port()) + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[512] = {};
  const bool got = std::fgets(line, sizeof line, p) != nullptr;
  ::pclose(p);
  ASSERT_TRUE(got) << cmd;
  // State, Recv-Q, Send-Q (for a listening socket: its backlog), local, peer.
  char state[32] = {};
  long recv_q = 0, backlog = 0;
  ASSERT_EQ(std::sscanf(line, "%31s %ld %ld", state, &recv_q, &backlog), 3) << line;
  EXPECT_STREQ(state, "LISTEN");
  EXPECT_GE(backlog, 128) << line;

  EXPECT_NE(s.run({"serve", "--port", std::to_string(s.port()), "--host", "127.0.0.1", "--db",
                   s.db(), "--www", s.www().string()}),
            0);
}
