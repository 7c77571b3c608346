// Network commands (issue #21): append_network_command assigns gap-free
// seqs at commit, indexes the command as pending and as its token's latest
// (networkSync); put_network_command replaces it and keeps the pending
// index in step with its status; the record round-trips through the codec
// and a damaged one is refused; all of it survives a reopen.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dwt/persistence/codec.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"
#include "env_fixture.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using engine::from_millis;
using engine::token_ref;
using test::temp_dir;

network_command command_for(const std::string& token, network_operation op) {
  network_command c;
  c.seq = 999; // ignored: assigned at commit
  c.token = token_ref{token};
  c.partner = engine::partner_id{"p1"};
  c.network = engine::card_network::mdes;
  c.operation = op;
  c.reason_code = "CUSTOMER_REQUEST";
  c.comment = "lost phone";
  c.created_at = from_millis(1000);
  c.updated_at = from_millis(1000);
  c.next_attempt_at = from_millis(1000);
  return c;
}

class NetworkCommands : public test::env_fixture {
protected:
  std::vector<std::uint64_t> pending() {
    return snapshot().pending_network_commands(0, 100).value();
  }
};

TEST_F(NetworkCommands, AppendAssignsSeqsAndIndexesPendingAndLatest) {
  write_unit u;
  u.append_network_command(command_for("tok_a", network_operation::suspend))
      .append_network_command(command_for("tok_b", network_operation::delete_token));
  auto ack = commit(u);
  ASSERT_TRUE(ack) << ack.err().message;
  EXPECT_EQ(ack->network_command_seqs, (std::vector<std::uint64_t>{1, 2}));
  write_unit v;
  v.append_network_command(command_for("tok_a", network_operation::unsuspend));
  ack = commit(v);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->network_command_seqs, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(pending(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(snapshot().pending_network_commands(1, 1).value(), (std::vector<std::uint64_t>{2}));
  auto latest = snapshot().latest_network_command(token_ref{"tok_a"}).value();
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->seq, 3u);
  EXPECT_EQ(latest->operation, network_operation::unsuspend);
  EXPECT_FALSE(snapshot().latest_network_command(token_ref{"tok_none"}).value());
}

TEST_F(NetworkCommands, PutKeepsThePendingIndexInStepAndSurvivesAReopen) {
  write_unit u;
  u.append_network_command(command_for("tok_a", network_operation::suspend));
  ASSERT_TRUE(commit(u));
  auto c = snapshot().network_command_at(1).value();
  c.status = network_sync_status::failed;
  c.attempts = 1;
  c.error_source = "MDES";
  c.error_reason_code = "INVALID_TOKEN_STATUS";
  c.http_status = 400;
  write_unit v;
  v.put_network_command(c);
  ASSERT_TRUE(commit(v));
  EXPECT_TRUE(pending().empty());
  EXPECT_EQ(snapshot().network_command_at(1).value(), c);
  // An operator retry: pending again.
  c.status = network_sync_status::pending;
  c.round_base = 1;
  write_unit w;
  w.put_network_command(c);
  ASSERT_TRUE(commit(w));
  EXPECT_EQ(pending(), (std::vector<std::uint64_t>{1}));
  open();
  EXPECT_EQ(pending(), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(snapshot().latest_network_command(token_ref{"tok_a"}).value(), c);
  // A command that was never appended cannot be put.
  c.seq = 42;
  write_unit x;
  x.put_network_command(c);
  auto r = commit(x);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.code(), errc::not_found);
}

TEST_F(NetworkCommands, AnInvalidTokenRefFailsTheWholeUnit) {
  write_unit u;
  u.append_network_command(command_for("tok_a", network_operation::suspend))
      .append_network_command(command_for("", network_operation::suspend));
  auto r = commit(u);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.code(), errc::invalid_argument);
  EXPECT_TRUE(pending().empty());
  EXPECT_FALSE(snapshot().latest_network_command(token_ref{"tok_a"}).value());
}

TEST(NetworkCommandCodec, RoundTripsAndRefusesDamage) {
  auto c = command_for("tok_a", network_operation::delete_token);
  c.seq = 7;
  c.status = network_sync_status::failed;
  c.attempts = 3;
  c.round_base = 1;
  c.error_source = "dwt";
  c.error_reason_code = "TRANSPORT_ERROR";
  c.error_description = "connect: Connection refused";
  const auto bytes = codec::encode(c);
  auto back = codec::decode<network_command>(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c);
  EXPECT_FALSE(codec::decode<network_command>(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(codec::decode<network_command>(bytes + "x"));
  EXPECT_FALSE(codec::decode<delivery_state>(bytes)); // another record's tag
}

} // namespace
} // namespace dwt::persistence
