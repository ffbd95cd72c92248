/*
 * re2_syntax.c — Go's regexp syntax (RE2, as regexp.Compile parses it),
 * checked and translated into PCRE2 syntax in one left-to-right pass.
 *
 * The pass follows Go's regexp/syntax parser step by step so that the
 * same patterns are accepted and the same errors reported with the same
 * text: repetition needs an operand and may not be stacked ("a**"), counts
 * are at most 1000 also when nested ("(a{500}){3}"), escapes are limited to
 * Go's list (no backreferences, \Z, \C, \X ...), "(?" groups know only the
 * flags i, m, s, U and named captures, character classes know POSIX names
 * and Unicode classes.
 *
 * The output keeps Go's meaning under PCRE2 (compiled with UTF,
 * DOLLAR_ENDONLY and LF newlines): every literal other than letters, digits
 * and non-ASCII is written as \x{..}; \s becomes Go's ASCII set without \v;
 * named groups become plain groups (names are irrelevant to matching and
 * Go accepts names PCRE2 does not); every repeated item is wrapped in (?:)
 * so that quantifiers apply to exactly what Go applies them to.  Unicode
 * class names are looked up as Go 1.25 does, and under (?i) classes are
 * widened by case variants the way Go's fold tables widen them (PCRE2
 * leaves \p and \w unfolded).
 */
#include "cel_regex.h"
#include "cel_strbuf.h"

#include <ctype.h>

#define RE2_MAX_NESTING 1000
#define RE2_MAX_REPEAT 1000
#define RE2_MAX_PATTERN (64 * 1024)

typedef struct Re2Frame
{
	size_t		out_start;		/* output offset of the group's '(' */
	int64_t		need;			/* repeat budget needed by finished items */
	bool		saved_fold;		/* (?i) state to restore at the ')' */
} Re2Frame;

typedef struct Re2
{
	Arena	   *arena;
	const char *s;
	size_t		len;
	size_t		pos;
	CelStrBuf	out;
	Re2Frame   *frames;
	int			depth;			/* frames[0] is the whole pattern */
	bool		have_atom;		/* a repeatable item ends the output */
	size_t		atom_start;
	bool		atom_closed;	/* flag text follows the item: atom_end valid */
	size_t		atom_end;
	int64_t		atom_need;
	bool		last_repeat;	/* previous token was a repetition */
	size_t		last_repeat_pos;
	int			ncap;
	bool		fold;			/* (?i) is in effect */
	const char *err;
} Re2;

/* Records Go's error "error parsing regexp: <code>: `<expr>`". */
static bool
fail(Re2 *re, const char *code, size_t start, size_t end)
{
	if (re->err == NULL)
		re->err = arena_printf(re->arena, "error parsing regexp: %s: `%.*s`",
							   code, (int) (end - start), re->s + start);
	return false;
}

/* Folds the pending atom's budget into its group. */
static void
finish_atom(Re2 *re)
{
	Re2Frame   *f = &re->frames[re->depth];

	if (re->have_atom && re->atom_need > f->need)
		f->need = re->atom_need;
	re->have_atom = false;
}

/* Starts a new repeatable item at the current end of the output. */
static void
begin_atom(Re2 *re)
{
	finish_atom(re);
	re->have_atom = true;
	re->atom_start = re->out.len;
	re->atom_closed = false;
	re->atom_need = 0;
}

/* Emits one literal code point. */
static void
emit_literal(CelStrBuf *out, uint32_t c)
{
	if (c < 0x80 && !isalnum((int) c))
		cel_strbuf_printf(out, "\\x{%x}", (unsigned) c);
	else
		cel_strbuf_put_rune(out, c);
}

/* Decodes the code point at *pos (the pattern is known to be UTF-8). */
static uint32_t
next_rune(Re2 *re, size_t *pos)
{
	return cel_utf8_next(re->s, re->len, pos, NULL);
}

/* Hex digit value or -1. */
static int
unhex(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int) (c - '0');
	if (c >= 'a' && c <= 'f')
		return (int) (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int) (c - 'A' + 10);
	return -1;
}

/* Go's parseEscape: the code point of the escape at *pos ('\\' there). */
static bool
parse_escape(Re2 *re, size_t *pos, uint32_t *r)
{
	size_t		start = *pos;
	size_t		t = start + 1;
	uint32_t	c;

	if (t >= re->len)
		return fail(re, "trailing backslash at end of expression", t, t);
	c = next_rune(re, &t);
	switch (c)
	{
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
			/* a lone non-zero digit would be a backreference */
			if (t >= re->len || re->s[t] < '0' || re->s[t] > '7')
				break;
			/* FALLTHROUGH */
		case '0':
			*r = c - '0';
			for (int i = 1; i < 3; i++)
			{
				if (t >= re->len || re->s[t] < '0' || re->s[t] > '7')
					break;
				*r = *r * 8 + (uint32_t) (re->s[t] - '0');
				t++;
			}
			*pos = t;
			return true;
		case 'x':
			{
				uint32_t	c2;
				int			x;
				int			y;

				if (t >= re->len)
					break;
				c2 = next_rune(re, &t);
				if (c2 == '{')
				{
					int			nhex = 0;
					uint32_t	v = 0;
					bool		ok = false;

					while (t < re->len)
					{
						int			h;

						c2 = next_rune(re, &t);
						if (c2 == '}')
						{
							ok = nhex > 0;
							break;
						}
						h = unhex(c2);
						if (h < 0)
							break;
						v = v * 16 + (uint32_t) h;
						if (v > 0x10FFFF)
							break;
						nhex++;
					}
					if (!ok)
						break;
					*r = v;
					*pos = t;
					return true;
				}
				x = unhex(c2);
				if (t >= re->len)
					break;
				c2 = next_rune(re, &t);
				y = unhex(c2);
				if (x < 0 || y < 0)
					break;
				*r = (uint32_t) (x * 16 + y);
				*pos = t;
				return true;
			}
		case 'a':
			*r = '\a';
			*pos = t;
			return true;
		case 'f':
			*r = '\f';
			*pos = t;
			return true;
		case 'n':
			*r = '\n';
			*pos = t;
			return true;
		case 'r':
			*r = '\r';
			*pos = t;
			return true;
		case 't':
			*r = '\t';
			*pos = t;
			return true;
		case 'v':
			*r = '\v';
			*pos = t;
			return true;
		default:
			if (c < 0x80 && !isalnum((int) c))
			{
				*r = c;
				*pos = t;
				return true;
			}
	}
	return fail(re, "invalid escape sequence", start, t);
}

/*
 * Unicode class names as Go 1.25's regexp/syntax looks them up: the name
 * is canonicalised (underscores, hyphens and spaces dropped, first letter
 * upper case, the rest lower case) and then must be Any, Assigned, Ascii,
 * Lc, a key of unicode.Categories, a key of unicode.Scripts (so only the
 * one-word script names survive canonicalisation: "Latin" but not
 * "Old_Italic"), or a canonicalised unicode.CategoryAliases key.
 */
static const char *const go_categories[] = {
	"C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M",
	"Mc", "Me", "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi",
	"Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
};

/* unicode.Scripts keys (Unicode 15.0) that are their own canonical form. */
static const char *const go_scripts[] = {
	"Adlam", "Ahom", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum",
	"Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille",
	"Buginese", "Buhid", "Carian", "Chakma", "Cham", "Cherokee", "Chorasmian",
	"Common", "Coptic", "Cuneiform", "Cypriot", "Cyrillic", "Deseret",
	"Devanagari", "Dogra", "Duployan", "Elbasan", "Elymaic", "Ethiopic",
	"Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati",
	"Gurmukhi", "Han", "Hangul", "Hanunoo", "Hatran", "Hebrew", "Hiragana",
	"Inherited", "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi",
	"Kharoshthi", "Khmer", "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha",
	"Limbu", "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam",
	"Mandaic", "Manichaean", "Marchen", "Medefaidrin", "Miao", "Modi",
	"Mongolian", "Mro", "Multani", "Myanmar", "Nabataean", "Nandinagari",
	"Newa", "Nko", "Nushu", "Ogham", "Oriya", "Osage", "Osmanya", "Palmyrene",
	"Phoenician", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada",
	"Shavian", "Siddham", "Sinhala", "Sogdian", "Soyombo", "Sundanese",
	"Syriac", "Tagalog", "Tagbanwa", "Takri", "Tamil", "Tangsa", "Tangut",
	"Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Toto",
	"Ugaritic", "Vai", "Vithkuqi", "Wancho", "Yezidi", "Yi",
};

/* unicode.CategoryAliases, keyed by canonical name. */
static const char *const go_category_aliases[][2] = {
	{"Casedletter", "L&"}, {"Closepunctuation", "Pe"}, {"Cntrl", "Cc"},
	{"Combiningmark", "M"}, {"Connectorpunctuation", "Pc"}, {"Control", "Cc"},
	{"Currencysymbol", "Sc"}, {"Dashpunctuation", "Pd"},
	{"Decimalnumber", "Nd"}, {"Digit", "Nd"}, {"Enclosingmark", "Me"},
	{"Finalpunctuation", "Pf"}, {"Format", "Cf"}, {"Initialpunctuation", "Pi"},
	{"Letter", "L"}, {"Letternumber", "Nl"}, {"Lineseparator", "Zl"},
	{"Lowercaseletter", "Ll"}, {"Mark", "M"}, {"Mathsymbol", "Sm"},
	{"Modifierletter", "Lm"}, {"Modifiersymbol", "Sk"},
	{"Nonspacingmark", "Mn"}, {"Number", "N"}, {"Openpunctuation", "Ps"},
	{"Other", "C"}, {"Otherletter", "Lo"}, {"Othernumber", "No"},
	{"Otherpunctuation", "Po"}, {"Othersymbol", "So"},
	{"Paragraphseparator", "Zp"}, {"Privateuse", "Co"}, {"Punct", "P"},
	{"Punctuation", "P"}, {"Separator", "Z"}, {"Spaceseparator", "Zs"},
	{"Spacingmark", "Mc"}, {"Surrogate", "Cs"}, {"Symbol", "S"},
	{"Titlecaseletter", "Lt"}, {"Unassigned", "Cn"}, {"Uppercaseletter", "Lu"},
};

/*
 * Go's fold tables for (?i): code points outside a category or script whose
 * case variants are inside it.  For Lu and Ll, PCRE2's Changes_When_*
 * properties stand for the bulk of them.
 */
static const char *const fold_extras[][2] = {
	{"Lu", "\\p{CWU}\\x{345}"},
	{"Ll", "\\p{CWL}\\x{345}"},
	{"Lt", "\\x{1c4}\\x{1c6}\\x{1c7}\\x{1c9}\\x{1ca}\\x{1cc}\\x{1f1}\\x{1f3}"
	"\\x{1f80}-\\x{1f87}\\x{1f90}-\\x{1f97}\\x{1fa0}-\\x{1fa7}\\x{1fb3}\\x{1fc3}\\x{1ff3}"},
	{"L", "\\x{345}"},
	{"M", "\\x{399}\\x{3b9}\\x{1fbe}"},
	{"Mn", "\\x{399}\\x{3b9}\\x{1fbe}"},
	{"Common", "\\x{39c}\\x{3bc}"},
	{"Greek", "\\x{b5}\\x{345}"},
	{"Inherited", "\\x{399}\\x{3b9}\\x{1fbe}"},
};

/*
 * Standalone (?i)\p{Lu} and \p{Ll}, more exactly: letters whose case
 * mapping lands in the category, minus the letters whose only mappings are
 * to several characters (Go folds one code point at a time) and the Greek
 * letters whose variant is titlecase.
 */
#define FOLD_MULTI_U "\\x{149}\\x{1f0}\\x{390}\\x{3b0}\\x{587}\\x{1e96}-\\x{1e9a}" \
	"\\x{1f50}\\x{1f52}\\x{1f54}\\x{1f56}\\x{1f80}-\\x{1faf}\\x{1fb2}-\\x{1fb4}" \
	"\\x{1fb6}\\x{1fb7}\\x{1fbc}\\x{1fc2}-\\x{1fc4}\\x{1fc6}\\x{1fc7}\\x{1fcc}" \
	"\\x{1fd2}\\x{1fd3}\\x{1fd6}\\x{1fd7}\\x{1fe2}-\\x{1fe4}\\x{1fe6}\\x{1fe7}" \
	"\\x{1ff2}-\\x{1ff4}\\x{1ff6}\\x{1ff7}\\x{1ffc}\\x{fb00}-\\x{fb06}\\x{fb13}-\\x{fb17}"
#define FOLD_LU "(?:[\\p{Lu}\\x{345}]|(?![" FOLD_MULTI_U "])(?=\\p{L})\\p{CWU})"
#define FOLD_LL "(?:[\\p{Ll}\\x{345}]|(?!\\x{130})(?=\\p{L})\\p{CWL})"

/* Kawi is in Go's tables (Unicode 15) but not in PCRE2 10.42's: its ranges. */
#define KAWI_RANGES "\\x{11f00}-\\x{11f10}\\x{11f12}-\\x{11f3a}\\x{11f3e}-\\x{11f59}"
#define KAWI_COMPLEMENT "\\x{0}-\\x{11eff}\\x{11f11}\\x{11f3b}-\\x{11f3d}\\x{11f5a}-\\x{10ffff}"

/* Go's canonicalName into out (size n); false if it does not fit. */
static bool
canonical_name(const char *name, size_t len, char *out, size_t n)
{
	size_t		k = 0;
	bool		first = true;

	for (size_t i = 0; i < len; i++)
	{
		char		c = name[i];

		if (c == '_' || c == '-' || c == ' ')
			continue;
		if (first)
		{
			if (c >= 'a' && c <= 'z')
				c = (char) (c - 'a' + 'A');
			first = false;
		}
		else if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if (k + 1 >= n)
			return false;
		out[k++] = c;
	}
	out[k] = '\0';
	return true;
}

/*
 * Emits Go's Unicode class `name` (positive or negated) in PCRE2 syntax,
 * inside a [...] class or standing alone; false when Go knows no such
 * class.
 */
static bool
emit_unicode_class(CelStrBuf *out, const char *name, size_t len, bool positive,
				   bool in_class, bool fold)
{
	char		canon[64];
	const char *prop = NULL;
	const char *scope = "";		/* "sc:" for scripts: Script, not Script_Extensions */

	if (!canonical_name(name, len, canon, sizeof(canon)) || canon[0] == '\0')
		return false;
	if (strcmp(canon, "Any") == 0)
		prop = "Any";
	else if (strcmp(canon, "Assigned") == 0)
	{
		prop = "Cn";
		positive = !positive;
	}
	else if (strcmp(canon, "Ascii") == 0)
		prop = "ASCII";
	else if (strcmp(canon, "Lc") == 0)
		prop = "L&";
	for (size_t i = 0; prop == NULL && i < sizeof(go_categories) / sizeof(go_categories[0]); i++)
		if (strcmp(canon, go_categories[i]) == 0)
			prop = go_categories[i];
	for (size_t i = 0; prop == NULL && i < sizeof(go_scripts) / sizeof(go_scripts[0]); i++)
		if (strcmp(canon, go_scripts[i]) == 0)
		{
			prop = go_scripts[i];
			scope = "sc:";
		}
	for (size_t i = 0; prop == NULL && i < sizeof(go_category_aliases) / sizeof(go_category_aliases[0]); i++)
		if (strcmp(canon, go_category_aliases[i][0]) == 0)
			prop = go_category_aliases[i][1];
	if (prop == NULL)
		return false;

	/*
	 * Under (?i) Go adds the case variants of the class's members (its
	 * FoldCategory and FoldScript tables), which PCRE2 does not do for \p:
	 * add them as extra class members.  Only a negated class inside [...]
	 * is left without them.
	 */
	if (fold && !in_class && (strcmp(prop, "Lu") == 0 || strcmp(prop, "Ll") == 0))
	{
		const char *set = prop[1] == 'u' ? FOLD_LU : FOLD_LL;

		if (positive)
			cel_strbuf_puts(out, set);
		else
			cel_strbuf_printf(out, "(?:(?!%s)(?s:.))", set);
		return true;
	}
	if (fold && (positive || !in_class))
	{
		for (size_t i = 0; i < sizeof(fold_extras) / sizeof(fold_extras[0]); i++)
			if (strcmp(prop, fold_extras[i][0]) == 0)
			{
				cel_strbuf_printf(out, "%s\\p{%s%s}%s%s", in_class ? "" : positive ? "[" : "[^",
								  scope, prop, fold_extras[i][1], in_class ? "" : "]");
				return true;
			}
	}
	if (strcmp(prop, "Kawi") == 0)
	{
		const char *ranges = positive || !in_class ? KAWI_RANGES : KAWI_COMPLEMENT;

		if (in_class)
			cel_strbuf_puts(out, ranges);
		else
			cel_strbuf_printf(out, "[%s%s]", positive ? "" : "^", ranges);
		return true;
	}
	cel_strbuf_printf(out, "\\%c{%s%s}", positive ? 'p' : 'P', scope, prop);
	return true;
}

/*
 * Go's parseUnicodeClass at *pos ("\p" or "\P"), emitting the class in
 * PCRE2 syntax (inside [...] when in_class).
 */
static bool
parse_unicode_class(Re2 *re, size_t *pos, bool in_class)
{
	size_t		start = *pos;
	size_t		t = start + 2;
	bool		positive = re->s[start + 1] == 'p';
	size_t		name_start;
	size_t		name_end;
	size_t		seq_end;

	if (t >= re->len)
		return fail(re, "invalid character class range", start, t);
	if (re->s[t] != '{')
	{
		name_start = t;
		next_rune(re, &t);
		name_end = t;
		seq_end = t;
	}
	else
	{
		const char *close = memchr(re->s + start, '}', re->len - start);

		if (close == NULL)
			return fail(re, "invalid character class range", start, re->len);
		name_start = t + 1;
		name_end = (size_t) (close - re->s);
		seq_end = name_end + 1;
	}
	if (name_start < name_end && re->s[name_start] == '^')
	{
		positive = !positive;
		name_start++;
	}
	if (!emit_unicode_class(&re->out, re->s + name_start, name_end - name_start,
							positive, in_class, re->fold))
		return fail(re, "invalid character class range", start, seq_end);
	*pos = seq_end;
	return true;
}

/* Emits a Perl class escape (\d \D \s \S \w \W); in_class for [..] form. */
static void
emit_perl_class(Re2 *re, char c, bool in_class)
{
	switch (c)
	{
		case 's':
			/* Go's \s is [\t\n\f\r ]: no vertical tab, unlike PCRE2 */
			cel_strbuf_puts(&re->out, in_class ? "\\x{9}\\x{a}\\x{c}\\x{d}\\x{20}"
							: "[\\x{9}\\x{a}\\x{c}\\x{d}\\x{20}]");
			break;
		case 'S':
			cel_strbuf_puts(&re->out, in_class ? "\\S\\x{b}" : "[\\S\\x{b}]");
			break;
		case 'w':
			/* under (?i) Go folds [0-9A-Za-z_], which takes in U+017F and U+212A */
			if (re->fold)
				cel_strbuf_puts(&re->out, in_class ? "\\w\\x{17f}\\x{212a}"
								: "[\\w\\x{17f}\\x{212a}]");
			else
				cel_strbuf_puts(&re->out, "\\w");
			break;
		case 'W':
			if (re->fold && !in_class)
				cel_strbuf_puts(&re->out, "[^\\w\\x{17f}\\x{212a}]");
			else
				cel_strbuf_puts(&re->out, "\\W");
			break;
		default:
			cel_strbuf_putc(&re->out, '\\');
			cel_strbuf_putc(&re->out, c);
	}
}

/* Whether "[:name:]" (or "[:^name:]") is one of Go's POSIX classes. */
static bool
posix_class_known(const char *s, size_t len)
{
	static const char *const names[] = {
		"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
		"lower", "print", "punct", "space", "upper", "word", "xdigit",
	};
	size_t		off = 2;

	if (len > 3 && s[2] == '^')
		off = 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len - off - 2 == strlen(names[i]) &&
			memcmp(s + off, names[i], len - off - 2) == 0)
			return true;
	return false;
}

/* Go's parseClassChar: one (possibly escaped) code point of a class. */
static bool
parse_class_char(Re2 *re, size_t *t, size_t class_start, uint32_t *r)
{
	if (*t >= re->len)
		return fail(re, "missing closing ]", class_start, re->len);
	if (re->s[*t] == '\\')
		return parse_escape(re, t, r);
	*r = next_rune(re, t);
	return true;
}

/* Go's parseClass at re->pos ('['). */
static bool
parse_class(Re2 *re)
{
	size_t		start = re->pos;
	size_t		t = start + 1;
	bool		first = true;

	begin_atom(re);
	cel_strbuf_putc(&re->out, '[');
	if (t < re->len && re->s[t] == '^')
	{
		cel_strbuf_putc(&re->out, '^');
		t++;
	}
	while (t >= re->len || re->s[t] != ']' || first)
	{
		size_t		rng = t;
		uint32_t	lo;
		uint32_t	hi;

		first = false;
		if (t + 2 < re->len && re->s[t] == '[' && re->s[t + 1] == ':')
		{
			const char *end = NULL;

			for (size_t i = t + 2; i + 1 < re->len; i++)
				if (re->s[i] == ':' && re->s[i + 1] == ']')
				{
					end = re->s + i;
					break;
				}
			if (end != NULL)
			{
				size_t		nlen = (size_t) (end - (re->s + t)) + 2;

				if (!posix_class_known(re->s + t, nlen))
					return fail(re, "invalid character class range", t, t + nlen);
				cel_strbuf_append(&re->out, re->s + t, nlen);
				/* folded ASCII letters take in U+017F (s) and U+212A (k) */
				if (re->fold &&
					((nlen == 9 && (memcmp(re->s + t, "[:lower:]", 9) == 0 ||
									memcmp(re->s + t, "[:upper:]", 9) == 0 ||
									memcmp(re->s + t, "[:alpha:]", 9) == 0 ||
									memcmp(re->s + t, "[:alnum:]", 9) == 0)) ||
					 (nlen == 8 && memcmp(re->s + t, "[:word:]", 8) == 0)))
					cel_strbuf_puts(&re->out, "\\x{17f}\\x{212a}");
				t += nlen;
				continue;
			}
		}
		if (t + 1 < re->len && re->s[t] == '\\' &&
			(re->s[t + 1] == 'p' || re->s[t + 1] == 'P'))
		{
			if (!parse_unicode_class(re, &t, true))
				return false;
			continue;
		}
		if (t + 1 < re->len && re->s[t] == '\\' && strchr("dDsSwW", re->s[t + 1]) &&
			re->s[t + 1] != '\0')
		{
			emit_perl_class(re, re->s[t + 1], true);
			t += 2;
			continue;
		}
		if (!parse_class_char(re, &t, start, &lo))
			return false;
		hi = lo;
		if (t + 1 < re->len && re->s[t] == '-' && re->s[t + 1] != ']')
		{
			t++;
			if (!parse_class_char(re, &t, start, &hi))
				return false;
			if (hi < lo)
				return fail(re, "invalid character class range", rng, t);
		}
		cel_strbuf_printf(&re->out, "\\x{%x}", (unsigned) lo);
		if (hi != lo)
			cel_strbuf_printf(&re->out, "-\\x{%x}", (unsigned) hi);
	}
	cel_strbuf_putc(&re->out, ']');
	re->pos = t + 1;
	return true;
}

/* Opens a group whose opening text is open (e.g. "(", "(?i:"). */
static bool
open_group(Re2 *re, const char *open, size_t next)
{
	finish_atom(re);
	if (re->depth + 1 > RE2_MAX_NESTING)
		return fail(re, "expression nests too deeply", 0, re->len);
	re->depth++;
	re->frames[re->depth].out_start = re->out.len;
	re->frames[re->depth].need = 0;
	re->frames[re->depth].saved_fold = re->fold;
	cel_strbuf_puts(&re->out, open);
	re->pos = next;
	return true;
}

/* Closes the innermost group; it becomes the item a repetition applies to. */
static bool
close_group(Re2 *re)
{
	Re2Frame   *f;

	finish_atom(re);
	if (re->depth == 0)
		return fail(re, "unexpected )", 0, re->len);
	cel_strbuf_putc(&re->out, ')');
	f = &re->frames[re->depth--];
	re->fold = f->saved_fold;
	re->have_atom = true;
	re->atom_start = f->out_start;
	re->atom_closed = false;
	re->atom_need = f->need;
	re->pos++;
	return true;
}

/* Go's parsePerlFlags at re->pos ("(?"). */
static bool
parse_perl_group(Re2 *re)
{
	size_t		start = re->pos;
	const char *s = re->s + start;
	size_t		rest = re->len - start;
	size_t		t;
	char		on[8];
	char		off[8];
	int			non = 0;
	int			noff = 0;
	int			sign = 1;
	bool		saw = false;

	if ((rest > 4 && s[2] == 'P' && s[3] == '<') || (rest > 3 && s[2] == '<'))
	{
		size_t		name_start = start + (s[2] == 'P' ? 4 : 3);
		const char *gt = memchr(s, '>', rest);
		size_t		end;

		if (gt == NULL)
			return fail(re, "invalid named capture", start, re->len);
		end = (size_t) (gt - re->s);
		if (end == name_start)
			return fail(re, "invalid named capture", start, end + 1);
		for (size_t i = name_start; i < end; i++)
			if (re->s[i] != '_' && !isalnum((unsigned char) re->s[i]))
				return fail(re, "invalid named capture", start, end + 1);
		re->ncap++;
		return open_group(re, "(", end + 1);
	}
	t = start + 2;
	while (t < re->len)
	{
		uint32_t	c = next_rune(re, &t);

		switch (c)
		{
			case 'i':
			case 'm':
			case 's':
			case 'U':
				if (sign > 0 && non < 4 && !memchr(on, (int) c, (size_t) non))
					on[non++] = (char) c;
				else if (sign < 0 && noff < 4 && !memchr(off, (int) c, (size_t) noff))
					off[noff++] = (char) c;
				saw = true;
				continue;
			case '-':
				if (sign < 0)
					break;
				sign = -1;
				saw = false;
				continue;
			case ':':
			case ')':
				if (sign < 0 && !saw)
					break;
				{
					char		text[24];
					int			n = 0;

					text[n++] = '(';
					text[n++] = '?';
					memcpy(text + n, on, (size_t) non);
					n += non;
					if (noff)
					{
						text[n++] = '-';
						memcpy(text + n, off, (size_t) noff);
						n += noff;
					}
					text[n++] = (char) c;
					text[n] = '\0';
					if (c == ':')
					{
						if (!open_group(re, text, t))
							return false;
						if (memchr(on, 'i', (size_t) non))
							re->fold = true;
						if (memchr(off, 'i', (size_t) noff))
							re->fold = false;
						return true;
					}
					if (memchr(on, 'i', (size_t) non))
						re->fold = true;
					if (memchr(off, 'i', (size_t) noff))
						re->fold = false;
					/*
					 * Flags for the rest of the group: no item of their own,
					 * so a repetition right after them applies to the item
					 * before them (Go: "ab(?i)*" repeats b).
					 */
					if (re->have_atom && !re->atom_closed)
					{
						re->atom_closed = true;
						re->atom_end = re->out.len;
					}
					if (non || noff)
						cel_strbuf_puts(&re->out, text);
					re->pos = t;
					return true;
				}
			default:
				break;
		}
		break;
	}
	return fail(re, "invalid or unsupported Perl syntax", start, t);
}

/* Go's parseInt for repeat counts; -1 for a number too large. */
static bool
parse_count(Re2 *re, size_t *t, int *n)
{
	size_t		p = *t;

	if (p >= re->len || !isdigit((unsigned char) re->s[p]))
		return false;
	if (p + 1 < re->len && re->s[p] == '0' && isdigit((unsigned char) re->s[p + 1]))
		return false;
	*n = 0;
	while (p < re->len && isdigit((unsigned char) re->s[p]))
	{
		if (*n >= 100000000)
			*n = -1;
		else if (*n >= 0)
			*n = *n * 10 + (re->s[p] - '0');
		p++;
	}
	*t = p;
	return true;
}

/* Go's parseRepeat: "{n}", "{n,}" or "{n,m}" at *t; false if not one. */
static bool
parse_repeat_braces(Re2 *re, size_t *t, int *min, int *max)
{
	size_t		p = *t + 1;

	if (!parse_count(re, &p, min))
		return false;
	if (p >= re->len)
		return false;
	if (re->s[p] != ',')
		*max = *min;
	else
	{
		p++;
		if (p >= re->len)
			return false;
		if (re->s[p] == '}')
			*max = -1;
		else
		{
			if (!parse_count(re, &p, max))
				return false;
			if (*max < 0)
				*min = -1;
		}
	}
	if (p >= re->len || re->s[p] != '}')
		return false;
	*t = p + 1;
	return true;
}

/* Applies a repetition operator starting at re->pos (Go's p.repeat). */
static bool
parse_repeat(Re2 *re, bool *was_repeat)
{
	size_t		start = re->pos;
	size_t		after = start + 1;
	char		op = re->s[start];
	int			min = 0;
	int			max = -1;
	bool		counted = op == '{';
	bool		nongreedy = false;
	int64_t		need = re->atom_need;

	if (counted)
	{
		after = start;
		if (!parse_repeat_braces(re, &after, &min, &max))
		{
			/* not a repetition: a literal '{' */
			begin_atom(re);
			emit_literal(&re->out, '{');
			re->pos = start + 1;
			return true;
		}
		if (min < 0 || min > RE2_MAX_REPEAT || max > RE2_MAX_REPEAT ||
			(max >= 0 && min > max))
			return fail(re, "invalid repeat count", start, after);
	}
	if (after < re->len && re->s[after] == '?')
	{
		nongreedy = true;
		after++;
	}
	if (re->last_repeat)
		return fail(re, "invalid nested repetition operator",
					re->last_repeat_pos, after);
	if (!re->have_atom)
		return fail(re, "missing argument to repetition operator", start, after);
	if (counted)
	{
		int64_t		m = max >= 0 ? max : min;

		if (m == 0)
			need = 0;
		else
		{
			int64_t		inner = need > 1 ? need : 1;

			need = inner > 100000 ? 100000000 : m * inner;
		}
		if ((min >= 2 || max >= 2) && need > RE2_MAX_REPEAT)
			return fail(re, "invalid repeat count", start, after);
	}
	/* wrap the item so the quantifier applies to exactly it */
	{
		char		quant[40];
		int			qlen;
		size_t		end = re->atom_closed ? re->atom_end : re->out.len;

		if (!counted)
			qlen = snprintf(quant, sizeof(quant), ")%c%s", op, nongreedy ? "?" : "");
		else if (max == min)
			qlen = snprintf(quant, sizeof(quant), "){%d}%s", min, nongreedy ? "?" : "");
		else if (max < 0)
			qlen = snprintf(quant, sizeof(quant), "){%d,}%s", min, nongreedy ? "?" : "");
		else
			qlen = snprintf(quant, sizeof(quant), "){%d,%d}%s", min, max, nongreedy ? "?" : "");
		if (cel_strbuf_reserve(&re->out, 3 + (size_t) qlen))
		{
			char	   *d = re->out.data;
			size_t		len = re->out.len;

			/* text after the item (flags) moves right by the quantifier */
			memmove(d + end + 3 + qlen, d + end, len - end);
			memcpy(d + end + 3, quant, (size_t) qlen);
			memmove(d + re->atom_start + 3, d + re->atom_start, end - re->atom_start);
			memcpy(d + re->atom_start, "(?:", 3);
			re->out.len = len + 3 + (size_t) qlen;
			d[re->out.len] = '\0';
			if (re->atom_closed)
				re->atom_end = end + 3 + (size_t) qlen;
		}
	}
	re->atom_need = need;
	*was_repeat = true;
	re->pos = after;
	return true;
}

/* Handles a backslash outside classes at re->pos. */
static bool
parse_backslash(Re2 *re)
{
	size_t		p = re->pos;
	char		c;
	uint32_t	r;

	if (p + 1 >= re->len)
		return fail(re, "trailing backslash at end of expression", re->len, re->len);
	c = re->s[p + 1];
	switch (c)
	{
		case 'A':
		case 'b':
		case 'B':
		case 'z':
			begin_atom(re);
			cel_strbuf_putc(&re->out, '\\');
			cel_strbuf_putc(&re->out, c);
			re->pos = p + 2;
			return true;
		case 'C':
			return fail(re, "invalid escape sequence", p, p + 2);
		case 'Q':
			{
				size_t		t = p + 2;
				size_t		end = re->len;
				size_t		next = re->len;

				for (size_t i = t; i + 1 < re->len; i++)
					if (re->s[i] == '\\' && re->s[i + 1] == 'E')
					{
						end = i;
						next = i + 2;
						break;
					}
				while (t < end)
				{
					begin_atom(re);
					emit_literal(&re->out, next_rune(re, &t));
				}
				re->pos = next;
				return true;
			}
		case 'p':
		case 'P':
			begin_atom(re);
			return parse_unicode_class(re, &re->pos, false);
		case 'd':
		case 'D':
		case 's':
		case 'S':
		case 'w':
		case 'W':
			begin_atom(re);
			emit_perl_class(re, c, false);
			re->pos = p + 2;
			return true;
		default:
			if (!parse_escape(re, &re->pos, &r))
				return false;
			begin_atom(re);
			emit_literal(&re->out, r);
			return true;
	}
}

/* Checks and translates a Go pattern (see cel_regex.h). */
const char *
cel_regex_translate(Arena *arena, const char *pattern, size_t len, char **out,
					size_t *outlen, int *ncap)
{
	Re2			re;

	memset(&re, 0, sizeof(re));
	re.arena = arena;
	re.s = pattern;
	re.len = len;
	re.out.arena = arena;
	if (len > RE2_MAX_PATTERN)
		return arena_printf(arena, "error parsing regexp: expression too large");
	{
		size_t		pos = 0;
		bool		ok;

		while (pos < len)
		{
			size_t		at = pos;

			cel_utf8_next(pattern, len, &pos, &ok);
			if (!ok)
			{
				fail(&re, "invalid UTF-8", at, len);
				return re.err;
			}
		}
	}
	re.frames = (Re2Frame *) arena_alloc0(arena, (RE2_MAX_NESTING + 1) * sizeof(Re2Frame));
	if (re.frames == NULL)
		return "out of memory";
	while (re.pos < len && re.err == NULL)
	{
		char		c = re.s[re.pos];
		bool		ok = true;
		bool		was_repeat = false;
		size_t		repeat_pos = re.pos;

		switch (c)
		{
			case '(':
				if (re.pos + 1 < len && re.s[re.pos + 1] == '?')
					ok = parse_perl_group(&re);
				else
				{
					re.ncap++;
					ok = open_group(&re, "(", re.pos + 1);
				}
				break;
			case '|':
				finish_atom(&re);
				cel_strbuf_putc(&re.out, '|');
				re.pos++;
				break;
			case ')':
				ok = close_group(&re);
				break;
			case '^':
			case '$':
			case '.':
				begin_atom(&re);
				cel_strbuf_putc(&re.out, c);
				re.pos++;
				break;
			case '[':
				ok = parse_class(&re);
				break;
			case '*':
			case '+':
			case '?':
			case '{':
				ok = parse_repeat(&re, &was_repeat);
				break;
			case '\\':
				ok = parse_backslash(&re);
				break;
			default:
				begin_atom(&re);
				emit_literal(&re.out, next_rune(&re, &re.pos));
				break;
		}
		if (!ok)
			break;
		if (was_repeat && !re.last_repeat)
			re.last_repeat_pos = repeat_pos;
		re.last_repeat = was_repeat;
	}
	if (re.err == NULL && re.depth > 0)
		fail(&re, "missing closing )", 0, len);
	if (re.err)
		return re.err;
	if (re.out.failed || re.out.too_long)
		return "out of memory";
	*out = re.out.data ? re.out.data : arena_strdup(arena, "");
	*outlen = re.out.len;
	*ncap = re.ncap;
	return NULL;
}
