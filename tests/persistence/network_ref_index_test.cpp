// The network-reference index (tokens_by_network_ref, issue #21): put_token
// writes (network, tokenUniqueReference) -> token ref in the same unit as
// the token record, one network reference names one token, a new reference
// replaces the old entry, erase_token removes it, and it survives a reopen.

#include <string>

#include <gtest/gtest.h>

#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/keys.hpp"
#include "dwt/persistence/reader.hpp"
#include "env_fixture.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using engine::card_network;
using engine::token_ref;
using test::sample_token;
using test::temp_dir;

engine::token_record bound(const std::string& ref, const std::string& tur) {
  auto t = sample_token(ref, "card_1");
  t.network = engine::network_identity{};
  t.network->network = card_network::mdes;
  t.network->correlation_id = "corr1";
  t.network->token_unique_reference = tur;
  return t;
}

class NetworkRefIndex : public test::env_fixture {
protected:
  std::optional<token_ref> find(card_network n, const std::string& tur) {
    return snapshot().token_by_network_ref(n, tur).value();
  }
  std::size_t entries() { return snapshot().entries(db::tokens_by_network_ref).value(); }
};

TEST_F(NetworkRefIndex, WrittenWithTheTokenAndFoundAfterAReopen) {
  write_unit u;
  u.put_token(bound("mdes-c-corr1", "DWSPMC000000000001"));
  ASSERT_TRUE(commit(u));
  EXPECT_EQ(find(card_network::mdes, "DWSPMC000000000001"), token_ref{"mdes-c-corr1"});
  // The network is part of the key.
  EXPECT_EQ(find(card_network::vts, "DWSPMC000000000001"), std::nullopt);
  EXPECT_EQ(find(card_network::mdes, "DWSPMC000000000002"), std::nullopt);
  open();
  EXPECT_EQ(find(card_network::mdes, "DWSPMC000000000001"), token_ref{"mdes-c-corr1"});
  // The identity itself is in the token record.
  auto t = snapshot().token(token_ref{"mdes-c-corr1"}).value();
  ASSERT_TRUE(t.network.has_value());
  EXPECT_EQ(t.network->token_unique_reference, "DWSPMC000000000001");
}

TEST_F(NetworkRefIndex, NoEntryUntilTheNetworkNamesTheToken) {
  write_unit u;
  u.put_token(bound("mdes-c-corr1", ""));
  u.put_token(sample_token("tok_plain", "card_1"));
  ASSERT_TRUE(commit(u));
  EXPECT_EQ(entries(), 0u);
  write_unit bind;
  bind.put_token(bound("mdes-c-corr1", "TUR1"));
  ASSERT_TRUE(commit(bind));
  EXPECT_EQ(entries(), 1u);
  EXPECT_EQ(find(card_network::mdes, "TUR1"), token_ref{"mdes-c-corr1"});
}

TEST_F(NetworkRefIndex, AReferenceNamesOneTokenOnly) {
  write_unit u;
  u.put_token(bound("tok_a", "TUR1"));
  ASSERT_TRUE(commit(u));
  write_unit other;
  other.put_token(bound("tok_b", "TUR1"));
  auto r = commit(other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.code(), errc::conflict);
  // The failed unit changed nothing: tok_b does not exist, TUR1 is tok_a's.
  EXPECT_FALSE(snapshot().token(token_ref{"tok_b"}));
  EXPECT_EQ(find(card_network::mdes, "TUR1"), token_ref{"tok_a"});
  // Writing tok_a again with the same reference is fine (idempotent).
  ASSERT_TRUE(commit(write_unit{}.put_token(bound("tok_a", "TUR1"))));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(NetworkRefIndex, ANewReferenceReplacesTheOldAndEraseRemovesIt) {
  ASSERT_TRUE(commit(write_unit{}.put_token(bound("tok_a", "TUR1"))));
  ASSERT_TRUE(commit(write_unit{}.put_token(bound("tok_a", "TUR2"))));
  EXPECT_EQ(find(card_network::mdes, "TUR1"), std::nullopt);
  EXPECT_EQ(find(card_network::mdes, "TUR2"), token_ref{"tok_a"});
  EXPECT_EQ(entries(), 1u);
  ASSERT_TRUE(commit(write_unit{}.erase_token(token_ref{"tok_a"})));
  EXPECT_EQ(find(card_network::mdes, "TUR2"), std::nullopt);
  EXPECT_EQ(entries(), 0u);
}

TEST_F(NetworkRefIndex, BadReferencesAreRefused) {
  std::string too_long(keys::max_id_size + 1, 'T');
  auto r = commit(write_unit{}.put_token(bound("tok_a", too_long)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.code(), errc::invalid_argument);
  EXPECT_FALSE(snapshot().token(token_ref{"tok_a"}));
  EXPECT_EQ(snapshot().token_by_network_ref(card_network::mdes, "").code(), errc::invalid_argument);
  EXPECT_EQ(snapshot().token_by_network_ref(card_network::none, "TUR1").code(),
            errc::invalid_argument);
}

} // namespace
} // namespace dwt::persistence
