#include "dwt/http/responder.hpp"

#include "check.hpp"
#include "state.hpp"

namespace dwt::http {

responder::responder(std::shared_ptr<detail::exchange> ex) noexcept : ex_(std::move(ex)) {}

responder& responder::operator=(responder&& other) noexcept {
  if (this != &other) {
    if (ex_)
      respond(problem(500, "internal_error", "The request was not answered."));
    ex_ = std::move(other.ex_);
  }
  return *this;
}

responder::~responder() {
  if (ex_) {
    try {
      respond(problem(500, "internal_error", "The request was not answered."));
    } catch (...) { // NOLINT(bugprone-empty-catch): a destructor must not throw
    }
  }
}

void responder::respond(response r) {
  DWT_HTTP_CHECK(ex_ != nullptr, "responder used twice or after a move");
  auto ex = std::move(ex_);
  ex->complete(std::move(r));
}

void responder::set_route(std::string pattern) {
  DWT_HTTP_CHECK(ex_ != nullptr, "set_route on a completed responder");
  ex_->meta.route = std::move(pattern);
}

} // namespace dwt::http
