#pragma once
/// @file
/// Helpers of the outbound tests: running the client's io_context until a
/// callback fired, and an independent implementation of the pieces of
/// Standard Webhooks and Basic auth (straight OpenSSL calls, not the code
/// under test).

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace dwt::outbound::testing {

/// Safety net only: a broken client must fail the test, not hang it.
inline constexpr std::chrono::seconds io_safety_limit{20};

/// Runs `io` until it runs out of work (or the safety limit).
inline void drain(boost::asio::io_context& io) {
  io.restart();
  io.run_for(io_safety_limit);
}

/// Base64 with OpenSSL's EVP_EncodeBlock.
inline std::string ossl_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

/// Base64 decoding with OpenSSL's EVP_DecodeBlock (padding removed).
inline std::optional<std::string> ossl_unbase64(std::string_view text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0)
    return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it)
    --len;
  out.resize(len);
  return out;
}

/// "v1," + base64(HMAC-SHA256(decoded whsec_ key, id.ts.body)), computed
/// with OpenSSL's one-shot HMAC().
inline std::string independent_signature(std::string_view whsec, std::string_view id,
                                         std::string_view ts, std::string_view body) {
  if (whsec.starts_with("whsec_"))
    whsec.remove_prefix(6);
  const auto key = ossl_unbase64(whsec).value_or(std::string{});
  const std::string content = std::string{id} + "." + std::string{ts} + "." + std::string{body};
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &mac_len);
  return "v1," + ossl_base64(std::string_view{reinterpret_cast<const char*>(mac), mac_len});
}

/// Splits a `webhook-signature` header on spaces.
inline std::vector<std::string> split_signatures(std::string_view header) {
  std::vector<std::string> out;
  while (!header.empty()) {
    const auto sp = header.find(' ');
    out.emplace_back(header.substr(0, sp));
    header = sp == std::string_view::npos ? std::string_view{} : header.substr(sp + 1);
  }
  return out;
}

/// Decodes an application/x-www-form-urlencoded body (independently of the
/// encoder under test). Repeated names keep every value.
inline std::multimap<std::string, std::string> parse_form(std::string_view body) {
  auto decode = [](std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out.push_back(' ');
      } else if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(std::string{s.substr(i + 1, 2)}, nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  };
  std::multimap<std::string, std::string> out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    const auto eq = pair.find('=');
    out.emplace(decode(pair.substr(0, eq)),
                eq == std::string_view::npos ? std::string{} : decode(pair.substr(eq + 1)));
  }
  return out;
}

/// Directory of the committed test-only TLS material.
inline std::string tls_dir() {
  return DWT_OUTBOUND_TLS_DIR;
}

} // namespace dwt::outbound::testing
