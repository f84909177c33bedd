// UTF-8 decoding and character boundaries for text layout and editing.
#pragma once

#include <cstddef>
#include <string_view>

namespace portal::client {

// Decodes one code point of UTF-8 at s[i], advancing i; U+FFFD for malformed input.
char32_t next_code_point(std::string_view s, std::size_t& i);

// What a person sees as one character, for the caret and for deletion: a code point with
// the marks, variation selectors and skin tones that follow it, emoji joined by
// U+200D (ZWJ) and pairs of regional indicators (flags). Byte offsets; the end of the
// cluster starting at i, and the start of the cluster that ends at or contains i - 1.
int next_cluster(std::string_view s, int i);
int prev_cluster(std::string_view s, int i);

}  // namespace portal::client
