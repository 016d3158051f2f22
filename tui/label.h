/*
 * Column labels that fit: DP names run down the grid's column headers,
 * which at 80x24 are only a few lines tall.  Sites name DPs by a pattern
 * (LONDONDP01, PARISDP01 ...; FRANKFURTDP07, DUBLINDP03 ...), so the part
 * every column shares is dropped first, then the middle of what is still
 * too long, keeping trailing digits, which are what tells DP03 from DP07.
 * The full name is always on the cursor line and in the detail pane.
 */
#ifndef DPD_TUI_LABEL_H
#define DPD_TUI_LABEL_H

#include <stdbool.h>
#include <stddef.h>

/* The prefix and suffix lengths (bytes) that all n labels share, each 0
 * unless at least 2 characters long, and never eating a whole label. */
void label_common(const char *const *labels, size_t n, size_t *head, size_t *tail);
/* Whether the labels' trailing digits tell them apart (DP03, DP07), so
 * cutting should keep them; not when they all end the same (DP01). */
bool label_digits_differ(const char *const *labels, size_t n);
/* The label without its first `head` and last `tail` bytes, cut to at
 * most h characters: "FRA~07" style when keep_digits and it ends in
 * digits, "CHICA~" otherwise (the ellipsis glyph stands for the cut).
 * Returns out. */
const char *label_fit(const char *label, size_t head, size_t tail, int h, bool keep_digits,
    const char *ellipsis, char *out, size_t size);

#endif
