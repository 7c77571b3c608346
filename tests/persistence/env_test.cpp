// Opening, reopening and the schema version check of the LMDB environment.

#include <gtest/gtest.h>

#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/keys.hpp"
#include "dwt/persistence/reader.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using test::temp_dir;

// Writes raw bytes into meta (bypassing the API) to fake another build.
void write_meta(env& e, std::string_view key, std::string_view value) {
  MDB_txn* t = nullptr;
  ASSERT_EQ(mdb_txn_begin(e.handle(), nullptr, 0, &t), 0);
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{value.size(), const_cast<char*>(value.data())};
  ASSERT_EQ(mdb_put(t, e.dbi(db::meta), &k, &v, 0), 0);
  ASSERT_EQ(mdb_txn_commit(t), 0);
}

TEST(Env, FreshDirectoryGetsCurrentSchema) {
  temp_dir dir;
  auto sub = dir.path() / "nested" / "data";
  auto e = env::open(test::small_options(sub));
  ASSERT_TRUE(e.has_value()) << e.err().message;
  EXPECT_EQ((*e)->schema_version(), current_schema_version);
  EXPECT_TRUE(std::filesystem::exists(sub / "data.mdb"));
  auto r = reader::begin(**e);
  ASSERT_TRUE(r.has_value());
  for (std::size_t i = 0; i < db_count; ++i) {
    auto n = r->entries(static_cast<db>(i));
    ASSERT_TRUE(n.has_value()) << db_name(static_cast<db>(i));
    if (static_cast<db>(i) == db::meta)
      EXPECT_EQ(*n, 1u); // the schema version
    else
      EXPECT_EQ(*n, 0u) << db_name(static_cast<db>(i));
  }
}

TEST(Env, ReopenKeepsData) {
  temp_dir dir;
  {
    auto e = env::open(test::small_options(dir.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    auto ack = commit_now(**e, test::provisioning_unit("DWT-A", "card_1"));
    ASSERT_TRUE(ack.has_value()) << ack.err().message;
  }
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value()) << e.err().message;
  auto r = reader::begin(**e);
  ASSERT_TRUE(r.has_value());
  auto tok = r->token(engine::token_ref{"DWT-A"});
  ASSERT_TRUE(tok.has_value()) << tok.err().message;
  EXPECT_EQ(*tok, test::sample_token("DWT-A", "card_1", 1));
  EXPECT_EQ((*e)->schema_version(), current_schema_version);
}

TEST(Env, NewerSchemaIsRefused) {
  temp_dir dir;
  {
    auto e = env::open(test::small_options(dir.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    std::string v;
    keys::append_be32(v, current_schema_version + 1);
    write_meta(**e, keys::meta_schema_version, v);
  }
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.code(), errc::schema_too_new);
  EXPECT_NE(e.err().message.find("schema version " + std::to_string(current_schema_version + 1)),
            std::string::npos)
      << e.err().message;
}

// Writes a raw entry into any database (bypassing the API).
void write_raw(env& e, db d, std::string_view key, std::string_view value) {
  MDB_txn* t = nullptr;
  ASSERT_EQ(mdb_txn_begin(e.handle(), nullptr, 0, &t), 0);
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{value.size(), const_cast<char*>(value.data())};
  ASSERT_EQ(mdb_put(t, e.dbi(d), &k, &v, 0), 0);
  ASSERT_EQ(mdb_txn_commit(t), 0);
}

TEST(Env, SchemaOneCardPanIndexIsReKeyedByPartner) {
  // A schema-1 directory: cards_by_pan_hash keyed by the bare pan hash.
  temp_dir dir;
  engine::card_record card;
  card.id = engine::card_id{"card_old"};
  card.profile = engine::profile_id{"prof_1"};
  card.partner = engine::partner_id{"partner_1"};
  card.pan_hash = std::string(32, 'q');
  card.last4 = "4242";
  card.expiry_month = 7;
  card.expiry_year = 2030;
  card.card_product = "demo-debit";
  {
    auto e = env::open(test::small_options(dir.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    ASSERT_TRUE(commit_now(**e, write_unit{}.put_card(card)).has_value());
    // Rewrite the index and the version as schema 1 had them.
    MDB_txn* t = nullptr;
    ASSERT_EQ(mdb_txn_begin((*e)->handle(), nullptr, 0, &t), 0);
    ASSERT_EQ(mdb_drop(t, (*e)->dbi(db::cards_by_pan_hash), 0), 0);
    ASSERT_EQ(mdb_txn_commit(t), 0);
    write_raw(**e, db::cards_by_pan_hash, card.pan_hash, card.id.value);
    std::string v;
    keys::append_be32(v, 1);
    write_meta(**e, keys::meta_schema_version, v);
  }
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value()) << e.err().message;
  EXPECT_EQ((*e)->schema_version(), current_schema_version);
  auto r = reader::begin(**e);
  ASSERT_TRUE(r.has_value());
  auto found = r->card_by_pan_hash(card.partner, card.pan_hash);
  ASSERT_TRUE(found.has_value()) << found.err().message;
  EXPECT_EQ(found->id, card.id);
  EXPECT_EQ(*r->entries(db::cards_by_pan_hash), 1u) << "the old bare-hash key is gone";
  auto all = r->cards_by_pan_hash(card.pan_hash);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 1u);
}

TEST(Env, MalformedSchemaVersionIsCorrupt) {
  temp_dir dir;
  {
    auto e = env::open(test::small_options(dir.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    write_meta(**e, keys::meta_schema_version, "xyz");
  }
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.code(), errc::corrupt_record);
}

TEST(Env, InvalidOptionsAreRefused) {
  temp_dir dir;
  env_options empty_dir;
  EXPECT_EQ(env::open(empty_dir).code(), errc::invalid_argument);

  auto o = test::small_options(dir.path());
  o.max_map_size = o.map_size / 2;
  EXPECT_EQ(env::open(o).code(), errc::invalid_argument);

  auto no_create = test::small_options(dir.path() / "missing");
  no_create.create_directory = false;
  EXPECT_EQ(env::open(no_create).code(), errc::io_error);
}

TEST(Env, LargerExistingMapIsKept) {
  temp_dir dir;
  auto o = test::small_options(dir.path());
  o.map_size = std::size_t{8} << 20;
  {
    auto e = env::open(o);
    ASSERT_TRUE(e.has_value()) << e.err().message;
    auto ack = commit_now(**e, test::provisioning_unit("DWT-A", "card_1"));
    ASSERT_TRUE(ack.has_value()) << ack.err().message;
    EXPECT_EQ((*e)->info().map_size, o.map_size);
  }
  o.map_size = std::size_t{1} << 20;
  auto e = env::open(o);
  ASSERT_TRUE(e.has_value()) << e.err().message;
  EXPECT_EQ((*e)->info().map_size, std::size_t{8} << 20);
}

TEST(Env, DurabilityModeNames) {
  EXPECT_EQ(to_string(durability::sync), "sync");
  EXPECT_EQ(to_string(durability::nosync), "nosync");
}

TEST(Env, NosyncModeWritesAndReads) {
  temp_dir dir;
  auto o = test::small_options(dir.path());
  o.mode = durability::nosync;
  {
    auto e = env::open(o);
    ASSERT_TRUE(e.has_value()) << e.err().message;
    ASSERT_TRUE(commit_now(**e, test::provisioning_unit("DWT-N", "card_1")).has_value());
    ASSERT_TRUE((*e)->sync().has_value());
  }
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value());
  auto r = reader::begin(**e);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->token(engine::token_ref{"DWT-N"}).has_value());
}

} // namespace
} // namespace dwt::persistence
