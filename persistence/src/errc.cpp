#include "dwt/persistence/errc.hpp"

namespace dwt::persistence {

std::string_view to_code(errc e) noexcept {
  switch (e) {
  case errc::ok:
    return "ok";
  case errc::map_full:
    return "map_full";
  case errc::io_error:
    return "io_error";
  case errc::corrupt_record:
    return "corrupt_record";
  case errc::unsupported_version:
    return "unsupported_version";
  case errc::schema_too_new:
    return "schema_too_new";
  case errc::not_found:
    return "not_found";
  case errc::conflict:
    return "conflict";
  case errc::invalid_argument:
    return "invalid_argument";
  case errc::closed:
    return "closed";
  case errc::overloaded:
    return "overloaded";
  case errc::readers_full:
    return "readers_full";
  case errc::internal:
    return "internal";
  }
  return "unknown";
}

std::string_view describe(errc e) noexcept {
  switch (e) {
  case errc::ok:
    return "success";
  case errc::map_full:
    return "the database map is full and may not grow further";
  case errc::io_error:
    return "an I/O error occurred in the store";
  case errc::corrupt_record:
    return "a stored record is corrupt";
  case errc::unsupported_version:
    return "a stored record has an unsupported codec version";
  case errc::schema_too_new:
    return "the data directory was written by a newer schema";
  case errc::not_found:
    return "the record does not exist";
  case errc::conflict:
    return "a validation check of the write failed";
  case errc::invalid_argument:
    return "an argument is out of range";
  case errc::closed:
    return "the store is closed";
  case errc::overloaded:
    return "the writer queue is full";
  case errc::readers_full:
    return "all reader slots are in use";
  case errc::internal:
    return "an unexpected storage error occurred";
  }
  return "unknown error";
}

std::string to_string(errc e) {
  return std::string{to_code(e)};
}

} // namespace dwt::persistence
