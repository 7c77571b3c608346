#pragma once
/// @file
/// A small reader of `docs/openapi.yaml` for tests: the documented
/// operations, route matching of concrete paths, and a checker that tells
/// whether an HTTP answer (status, content type, JSON body) is what the
/// document promises.
///
/// Typical use in an integration test:
///
///     auto loaded = dwt::openapi_testkit::load(DWT_OPENAPI_PATH);
///     ASSERT_TRUE(loaded.doc) << loaded.error;
///     auto problems = loaded.doc->check_response("POST", "/v1/cards", 201,
///                                                "application/json", body);
///     EXPECT_TRUE(problems.empty()) << dwt::openapi_testkit::join(problems);
///
/// Nothing here throws: failures are values (`load_result::error`, the
/// problem lists). Threading: a loaded `document` is immutable and may be
/// shared by reading threads.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dwt::openapi_testkit {

/// One documented operation (a method on a path template).
struct operation {
  /// Upper case: "GET", "POST", "PATCH", ...
  std::string method;
  /// The path template exactly as documented, e.g. "/v1/cards/{cardId}".
  std::string path;
  /// The document's operationId ("" if none).
  std::string operation_id;
  /// The security scheme name ("partnerKey", "networkKey"), or "" when the
  /// operation is unauthenticated (`security: []`).
  std::string security;
  /// Every documented numeric status, ascending.
  std::vector<int> statuses;
  /// Names of the documented header parameters of the request (path-level
  /// and operation-level), e.g. "Idempotency-Key".
  std::vector<std::string> request_headers;
  /// For each documented status, the names of its documented response
  /// headers (e.g. {201, {"Idempotent-Replayed"}}); ascending by status.
  std::vector<std::pair<int, std::vector<std::string>>> response_headers;
};

/// One documented webhook (from the document's `x-webhooks` extension).
struct webhook {
  /// The event type, e.g. "DigitalWalletTokenTransition".
  std::string type;
  /// Required request header names, e.g. "webhook-id".
  std::vector<std::string> required_headers;
  /// The name of the body schema under components/schemas, e.g.
  /// "TransitionWebhook" ("" if the body is not a $ref).
  std::string body_schema;
};

namespace detail {
struct document_state;
} // namespace detail

struct load_result;

/// A loaded OpenAPI document. Obtain one with `load`.
class document {
public:
  /// Every operation under `paths`, in document order.
  [[nodiscard]] const std::vector<operation>& operations() const noexcept;

  /// Every webhook under `x-webhooks`, in document order.
  [[nodiscard]] const std::vector<webhook>& webhooks() const noexcept;

  /// The operation documented for exactly this method and path template
  /// (e.g. "GET", "/v1/cards/{cardId}"); nullptr if none.
  [[nodiscard]] const operation* find(std::string_view method,
                                      std::string_view path_template) const noexcept;

  /// The operation whose template matches a concrete request path, e.g.
  /// ("GET", "/v1/cards/card_123/digital-wallet-tokens?x=1"). The query
  /// string is ignored; a `{name}` template segment matches one non-empty
  /// segment; literal segments win over parameters when several templates
  /// match. The method is compared case-insensitively. nullptr if none.
  [[nodiscard]] const operation* match(std::string_view method,
                                       std::string_view concrete_path) const noexcept;

  /// Checks one HTTP answer against the document. Returns the problems
  /// found, each a human-readable line; empty means the answer conforms.
  ///
  /// * The status must be documented for the matched operation. A request
  ///   matching no operation is judged by the document's `x-dwt-unrouted`
  ///   section (unknown path: 404 etc.; known path with another method:
  ///   405 etc.).
  /// * The content type (parameters such as "; charset=utf-8" ignored) must
  ///   be one the response documents; a response documented without
  ///   content must have an empty body.
  /// * A JSON body must parse and match the documented schema: $ref
  ///   resolved, required fields present (recursively through objects and
  ///   arrays), basic types, enum values, nullable, allOf/oneOf/anyOf,
  ///   pattern, min/max and minLength/maxLength, date-time format.
  ///   Additional fields are allowed (the contract lets fields be added).
  [[nodiscard]] std::vector<std::string> check_response(std::string_view method,
                                                        std::string_view concrete_path, int status,
                                                        std::string_view content_type,
                                                        std::string_view body_json_text) const;

  /// Checks a JSON text against one schema of components/schemas by name
  /// (e.g. "TransitionWebhook" for a webhook body). Same rules and result
  /// as `check_response`; an unknown schema name is a problem.
  [[nodiscard]] std::vector<std::string> check_schema(std::string_view schema_name,
                                                      std::string_view json_text) const;

private:
  friend load_result load(const std::filesystem::path& path);
  std::shared_ptr<const detail::document_state> state_;
};

/// What `load` gives: a document, or (when `doc` is empty) why not.
struct load_result {
  std::optional<document> doc;
  std::string error;
};

/// Reads and indexes an OpenAPI 3.0 YAML document. Never throws: a
/// missing file, a YAML syntax error or a document without `paths` is
/// reported in `error`.
[[nodiscard]] load_result load(const std::filesystem::path& path);

/// The problems joined one per line, for test failure messages.
[[nodiscard]] std::string join(const std::vector<std::string>& problems);

} // namespace dwt::openapi_testkit
