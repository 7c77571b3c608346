#include "pan.hpp"

#include "dwt/engine/luhn.hpp"

namespace dwt::load {

char luhn_check_digit(std::string_view digits) noexcept {
  return engine::luhn::check_digit(digits);
}

bool luhn_valid(std::string_view number) noexcept {
  if (number.size() < 2)
    return false;
  for (char c : number)
    if (c < '0' || c > '9')
      return false;
  return luhn_check_digit(number.substr(0, number.size() - 1)) == number.back();
}

std::string generate_pan(std::mt19937_64& rng, std::uint32_t bin_low, std::uint32_t bin_high) {
  std::uniform_int_distribution<std::uint32_t> bin{bin_low, bin_high};
  std::uniform_int_distribution<int> digit{0, 9};
  std::string pan = std::to_string(bin(rng));
  constexpr std::size_t pan_length = 16;
  while (pan.size() < pan_length - 1)
    pan.push_back(static_cast<char>('0' + digit(rng)));
  pan.push_back(luhn_check_digit(pan));
  return pan;
}

} // namespace dwt::load
