// Every request the app makes is one of these: its state is explicit, and an
// answer to an older request than the latest is ignored.
#pragma once

#include <cstdint>

#include "portal/core/result.hpp"

namespace portal::client {

enum class LoadState { idle, loading, loaded, failed };

template <class T>
struct Async {
  LoadState state = LoadState::idle;
  T value{};
  core::Error error;
  std::uint64_t ticket = 0;  // which request the current state belongs to

  bool loading() const { return state == LoadState::loading; }
  bool loaded() const { return state == LoadState::loaded; }
  bool failed() const { return state == LoadState::failed; }

  // Starts a request; returns the ticket its answer must bring back.
  std::uint64_t start() {
    state = LoadState::loading;
    return ++ticket;
  }
  // Applies an answer; false when it belongs to a superseded request.
  bool finish(std::uint64_t t, core::Result<T> r) {
    if (t != ticket) return false;
    if (r.ok()) {
      value = std::move(r.value());
      state = LoadState::loaded;
    } else {
      error = r.error();
      state = LoadState::failed;
    }
    return true;
  }
  void reset() {
    state = LoadState::idle;
    ++ticket;
  }
};

}  // namespace portal::client
