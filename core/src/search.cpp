#include "portal/core/search.hpp"

#include "portal/core/utf8.hpp"

namespace portal::core {

namespace {

// Characters that separate runs besides ASCII punctuation and spaces: Latin-1
// punctuation, general punctuation, arrows and symbols, CJK punctuation (but 々 and 〇,
// which are part of words), compatibility and small forms, half-width punctuation and
// emoji. Everything else non-ASCII is a word character.
bool is_separator(char32_t c) {
  if (c < 0x80)
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  if (c <= 0xBF) return c != 0xAA && c != 0xB5 && c != 0xBA;
  if (c == 0xD7 || c == 0xF7) return true;
  if (c >= 0x2000 && c <= 0x2BFF) return true;
  if (c >= 0x3000 && c <= 0x303F) return c != 0x3005 && c != 0x3007;
  if (c >= 0xFE10 && c <= 0xFE6F) return true;
  if (c >= 0xFF5F && c <= 0xFF65) return true;
  if (c >= 0xFFF0 && c <= 0xFFFF) return true;
  if (c >= 0x1F000 && c <= 0x1FAFF) return true;
  if (c >= 0xE0000) return true;  // tags, variation selectors supplement, private use
  return false;
}

// Full-width ASCII to ASCII, then A..Z to a..z.
char32_t fold(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
  if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
  return c;
}

// The runs of word characters, each as its folded characters (UTF-8 each). Invalid
// bytes and control characters separate.
std::vector<std::vector<std::string>> runs_of(std::string_view text) {
  std::vector<std::vector<std::string>> runs;
  std::vector<std::string> run;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = utf8_decode(text, i, cp);
    if (n == 0) {
      n = 1;
      cp = ' ';
    }
    i += n;
    cp = fold(cp);
    if (is_separator(cp)) {
      if (!run.empty()) runs.push_back(std::move(run));
      run.clear();
      continue;
    }
    std::string ch;
    utf8_append(ch, cp);
    run.push_back(std::move(ch));
  }
  if (!run.empty()) runs.push_back(std::move(run));
  return runs;
}

// A run's tokens: its overlapping pairs, then its last character alone.
void tokens_of_run(const std::vector<std::string>& run, std::vector<std::string>& out) {
  for (std::size_t k = 0; k + 1 < run.size(); ++k) out.push_back(run[k] + run[k + 1]);
  out.push_back(run.back());
}

}  // namespace

std::vector<std::string> search_tokens(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& run : runs_of(text)) tokens_of_run(run, out);
  return out;
}

std::string search_token_text(std::string_view text) {
  std::string out;
  for (const auto& t : search_tokens(text)) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

std::vector<std::vector<std::string>> search_query_runs(std::string_view q) {
  std::vector<std::vector<std::string>> out;
  for (const auto& run : runs_of(q)) {
    std::vector<std::string> tokens;
    tokens_of_run(run, tokens);
    out.push_back(std::move(tokens));
  }
  return out;
}

std::string search_folded(std::string_view text) {
  std::string out;
  for (const auto& run : runs_of(text)) {
    if (!out.empty()) out += ' ';
    for (const auto& c : run) out += c;
  }
  return out;
}

bool search_folded_matches(std::string_view folded_query, std::string_view folded_description,
                           std::string_view folded_address) {
  if (folded_query.empty()) return false;
  // UTF-8 needles found in UTF-8 text start on a character; a run holds no space, so
  // where it is found it lies inside one run.
  for (std::size_t i = 0; i < folded_query.size();) {
    std::size_t j = folded_query.find(' ', i);
    if (j == std::string_view::npos) j = folded_query.size();
    const auto run = folded_query.substr(i, j - i);
    if (folded_description.find(run) == std::string_view::npos &&
        folded_address.find(run) == std::string_view::npos)
      return false;
    i = j + 1;
  }
  return true;
}

std::optional<std::string> ticket_number_prefix(std::string_view q) {
  while (!q.empty() && (q.front() == ' ' || q.front() == '\t')) q.remove_prefix(1);
  while (!q.empty() && (q.back() == ' ' || q.back() == '\t')) q.remove_suffix(1);
  std::string_view digits = q;
  const bool rc = q.size() >= 2 && (q[0] == 'R' || q[0] == 'r') && (q[1] == 'C' || q[1] == 'c');
  if (rc) digits.remove_prefix(2);
  if (digits.size() > 16) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  if (!rc && digits.size() < 6) return std::nullopt;
  return "RC" + std::string(digits);
}

std::string ticket_number_prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && end.back() == '9') end.pop_back();
  if (!end.empty()) ++end.back();
  return end;
}

}  // namespace portal::core
