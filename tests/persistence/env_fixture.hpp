#pragma once
// The fixture most store tests share: one LMDB environment in a temporary
// directory, opened before each test and reopenable in the middle of one
// (to check that what was committed survives), with commit and snapshot
// shorthands.

#include <memory>

#include <gtest/gtest.h>

#include "dwt/persistence/env.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"
#include "test_util.hpp"

namespace dwt::persistence::test {

class env_fixture : public ::testing::Test {
protected:
  void SetUp() override { open(); }

  /// Closes the environment (if open) and opens it again on the same directory.
  void open() {
    env_.reset();
    auto e = env::open(small_options(dir_.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    env_ = std::move(*e);
  }
  result<commit_ack> commit(const write_unit& u) { return commit_now(*env_, u); }
  reader snapshot() { return std::move(reader::begin(*env_).value()); }

  temp_dir dir_;
  std::unique_ptr<env> env_;
};

} // namespace dwt::persistence::test
