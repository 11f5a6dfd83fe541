/* test_sql_fn_regex.c: PostgreSQL 15's regular expressions (sql_fn_regex.c, sql_fn_regexp.c):
 * the ~ operators, substring with patterns, and the regexp_* functions, called through the
 * function registry and the vectorised evaluator.
 * How: the case table holds calls and PostgreSQL 15's answers (tests/sql/gen-fn-cases wrote
 * it from a real server): ARE syntax the rewrite must translate (escapes, classes, bounds,
 * back references, embedded options, non-greedy quantifiers), UTF-8 text, every error message.
 * The other tests check batches whose rows use different patterns (the per-batch and
 * per-shard caches, eviction included), invalid constant patterns (reported only when a row
 * needs them), and that a thread's compiled patterns are freed when it exits. */
#include <pthread.h>

#include "sql/sql_fn_string_int.h"
#include "test_sql_fn_util.h"

static const tf_case regex_cases[] = {
/* BEGIN CASES regex */
    {"~", true, 2, {A(T, "abc"), A(T, "b")},
     "t"},
    {"~", true, 2, {A(T, "abc"), A(T, "^b")},
     "f"},
    {"~*", true, 2, {A(T, "ABC"), A(T, "b")},
     "t"},
    {"!~", true, 2, {A(T, "abc"), A(T, "b")},
     "f"},
    {"!~*", true, 2, {A(T, "ABC"), A(T, "b")},
     "f"},
    {"~", true, 2, {A(T, "abc"), A(T, "")},
     "t"},
    {"~", true, 2, {A(T, "héllo"), A(T, "^h.l")},
     "t"},
    {"~", true, 2, {A(T, "é"), A(T, "^.$")},
     "t"},
    {"~", true, 2, {A(T, "日本"), A(T, "^..$")},
     "t"},
    {"~", true, 2, {A(T, "é"), A(T, "[[:alpha:]]")},
     "f"},
    {"~", true, 2, {A(T, "é"), A(T, "\\w")},
     "f"},
    {"~*", true, 2, {A(T, "É"), A(T, "é")},
     "f"},
    {"~*", true, 2, {A(T, "a"), A(T, "[B-Z]")},
     "f"},
    {"~*", true, 2, {A(T, "b"), A(T, "[B-Z]")},
     "t"},
    {"~*", true, 2, {A(T, "Q"), A(T, "[^q]")},
     "f"},
    {"~", true, 2, {A(T, "é"), A(T, "[à-ê]")},
     "t"},
    {"~", true, 2, {A(T, "ë"), A(T, "[à-ê]")},
     "f"},
    {"~", true, 2, {A(T, "é"), A(T, "[^à-ê]")},
     "f"},
    {"~", true, 2, {A(T, "x"), A(T, "[^à-ê]")},
     "t"},
    {"~", true, 2, {A(T, "日"), A(T, "[\\u4e00-\\u9fff]")},
     "t"},
    {"~", true, 2, {A(T, "😀"), A(T, "[\\U0001F600-\\U0001F64F]")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "[\\U0001F600-\\U0001F64F]")},
     "f"},
    {"~", true, 2, {A(T, "a"), A(T, "(")},
     "ERROR 2201B: invalid regular expression: parentheses () not balanced"},
    {"~", true, 2, {A(T, "a"), A(T, "a)")},
     "ERROR 2201B: invalid regular expression: parentheses () not balanced"},
    {"~", true, 2, {A(T, "a"), A(T, "[a")},
     "ERROR 2201B: invalid regular expression: brackets [] not balanced"},
    {"~", true, 2, {A(T, "a"), A(T, "*a")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "a"), A(T, "a**")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "a"), A(T, "a{2,1}")},
     "ERROR 2201B: invalid regular expression: invalid repetition count(s)"},
    {"~", true, 2, {A(T, "a"), A(T, "a{")},
     "f"},
    {"~", true, 2, {A(T, "a{"), A(T, "a{")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "a{1")},
     "ERROR 2201B: invalid regular expression: braces {} not balanced"},
    {"~", true, 2, {A(T, "a"), A(T, "a{1,x}")},
     "ERROR 2201B: invalid regular expression: invalid repetition count(s)"},
    {"~", true, 2, {A(T, "a"), A(T, "a{256}")},
     "ERROR 2201B: invalid regular expression: invalid repetition count(s)"},
    {"~", true, 2, {A(T, "a"), A(T, "\\q")},
     "ERROR 2201B: invalid regular expression: invalid escape \\ sequence"},
    {"~", true, 2, {A(T, "a"), A(T, "\\1")},
     "ERROR 2201B: invalid regular expression: invalid backreference number"},
    {"~", true, 2, {A(T, "a"), A(T, "(a)\\2")},
     "ERROR 2201B: invalid regular expression: invalid backreference number"},
    {"~", true, 2, {A(T, "a"), A(T, "[[:foo:]]")},
     "ERROR 2201B: invalid regular expression: invalid character class"},
    {"~", true, 2, {A(T, "a"), A(T, "[z-a]")},
     "ERROR 2201B: invalid regular expression: invalid character range"},
    {"~", true, 2, {A(T, "a"), A(T, "a\\")},
     "ERROR 2201B: invalid regular expression: invalid escape \\ sequence"},
    {"~", true, 2, {A(T, "a"), A(T, "(?z)a")},
     "ERROR 2201B: invalid regular expression: invalid embedded option"},
    {"~", true, 2, {A(T, "a"), A(T, "^*")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "a"), A(T, "a|*")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "a"), A(T, "(*a)")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "a"), A(T, "\\m*")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "a"), A(T, "$*")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "a"), A(T, "a{1}{2}")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "a"), A(T, "a*?+")},
     "ERROR 2201B: invalid regular expression: quantifier operand invalid"},
    {"~", true, 2, {A(T, "aa"), A(T, "(a)\\1")},
     "t"},
    {"~", true, 2, {A(T, "ab"), A(T, "(a)\\1")},
     "f"},
    {"~", true, 2, {A(T, "a"), A(T, "\\x61")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "\\u0061")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "\\141")},
     "t"},
    {"~", true, 2, {A(T, "A"), A(T, "(?i)a")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "***=a.")},
     "f"},
    {"~", true, 2, {A(T, "a."), A(T, "***=a.")},
     "t"},
    {"~", true, 2, {A(T, "aB"), A(T, "(?x) a  b # comment")},
     "f"},
    {"~", true, 2, {A(T, "ab"), A(T, "(?x) a  b # comment")},
     "t"},
    {"~", true, 2, {A(T, "x"), A(T, "(?#c)x")},
     "t"},
    {"~", true, 2, {A(T, "a b"), A(T, "\\ya\\y")},
     "t"},
    {"~", true, 2, {A(T, "ab"), A(T, "a\\y")},
     "f"},
    {"~", true, 2, {A(T, "a b"), A(T, "\\mb")},
     "t"},
    {"~", true, 2, {A(T, "ab"), A(T, "\\Mb")},
     "f"},
    {"~", true, 2, {A(T, "ab"), A(T, "a\\Yb")},
     "t"},
    {"~", true, 2, {A(T, "5"), A(T, "[\\d]")},
     "t"},
    {"~", true, 2, {A(T, "x"), A(T, "[\\D]")},
     "t"},
    {"~", true, 2, {A(T, "x"), A(T, "\\d")},
     "f"},
    {"~", true, 2, {A(T, " \t"), A(T, "^\\s+$")},
     "t"},
    {"~", true, 2, {A(T, "a_1"), A(T, "^\\w+$")},
     "t"},
    {"~", true, 2, {A(T, "é"), A(T, "\\W")},
     "t"},
    {"~", true, 2, {A(T, "a\nb"), A(T, "a.b")},
     "t"},
    {"~", true, 2, {A(T, "a\nb"), A(T, "^b")},
     "f"},
    {"~", true, 2, {A(T, "a\nb"), A(T, "a$")},
     "f"},
    {"~", true, 2, {A(T, "a"), A(T, "a|")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "|")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "()")},
     "t"},
    {"~", true, 2, {A(T, "ab"), A(T, "(?:a)(b)")},
     "t"},
    {"~", true, 2, {A(T, "a]"), A(T, "a]")},
     "t"},
    {"~", true, 2, {A(T, "}"), A(T, "}")},
     "t"},
    {"~", true, 2, {A(T, "]"), A(T, "[]]")},
     "t"},
    {"~", true, 2, {A(T, "-"), A(T, "[a-]")},
     "t"},
    {"~", true, 2, {A(T, "^"), A(T, "[\\^]")},
     "t"},
    {"~", true, 2, {A(T, "a-z"), A(T, "^[-a-z]+$")},
     "t"},
    {"~", true, 2, {A(T, "\\"), A(T, "[\\\\]")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "[[.a.]]")},
     "t"},
    {"~", true, 2, {A(T, "-"), A(T, "[[.-.]]")},
     "t"},
    {"~", true, 2, {A(T, "a"), A(T, "[[=a=]b]")},
     "t"},
    {"~", true, 2, {A(T, "\t"), A(T, "\\t")},
     "t"},
    {"~", true, 2, {A(T, "\033"), A(T, "\\e")},
     "t"},
    {"~", true, 2, {A(T, "\001"), A(T, "\\cA")},
     "t"},
    {"~", true, 2, {A(NM, "pg_class"), A(T, "^(pg_class)$")},
     "t"},
    {"~", true, 2, {A(NM, "pg_class"), A(T, "^(t1)$")},
     "f"},
    {"~", true, 2, {A(BP, "ab "), A(T, "ab $")},
     "t"},
    {"~", true, 2, {A(T, "abc"), K(T, "b")},
     "t"},
    {"~", true, 2, {A(T, "abc"), K(T, "(")},
     "ERROR 2201B: invalid regular expression: parentheses () not balanced"},
    {"~*", true, 2, {A(T, "ABC"), K(T, "^a")},
     "t"},
    {"substring", false, 2, {A(T, "foobar"), A(T, "o.b")},
     "oob"},
    {"substring", false, 2, {A(T, "foobar"), A(T, "o(.)b")},
     "o"},
    {"substring", false, 2, {A(T, "foobar"), A(T, "x")},
     "<NULL>"},
    {"substring", false, 2, {A(T, "x"), A(T, "x|(y)")},
     "<NULL>"},
    {"substring", false, 2, {A(T, "xy"), A(T, "(x)?y")},
     "x"},
    {"substring", false, 2, {A(T, "héllo"), A(T, "é.")},
     "él"},
    {"substring", false, 3, {A(T, "foobar"), A(T, "#\"o_b#\"%"), A(T, "#")},
     "<NULL>"},
    {"substring", false, 3, {A(T, "foobar"), A(T, "%#\"o_b#\"%"), A(T, "#")},
     "oob"},
    {"substring", false, 3, {A(T, "foobar"), A(T, "f%"), A(T, "#")},
     "foobar"},
    {"substring", false, 3, {A(T, "foobar"), A(T, "x%"), A(T, "#")},
     "<NULL>"},
    {"regexp_match", false, 2, {A(T, "foobarbequebaz"), A(T, "bar.*que")},
     "{barbeque}"},
    {"regexp_match", false, 2, {A(T, "abc"), A(T, "(a)(x)?")},
     "{a,NULL}"},
    {"regexp_match", false, 2, {A(T, "abc"), A(T, "x")},
     "<NULL>"},
    {"regexp_match", false, 3, {A(T, "ABC"), A(T, "b"), A(T, "i")},
     "{B}"},
    {"regexp_match", false, 3, {A(T, "a"), A(T, "a"), A(T, "g")},
     "ERROR 22023: regexp_match() does not support the \"global\" option"},
    {"regexp_match", false, 2, {A(T, "<a><b>"), A(T, "<(.*?)>")},
     "{a}"},
    {"regexp_match", false, 2, {A(T, "aaa"), A(T, "(a*?)(a*)")},
     "{\"\",\"\"}"},
    {"regexp_match", false, 2, {A(T, "abc"), A(T, "(?:a)(b)")},
     "{b}"},
    {"regexp_match", false, 2, {A(T, "foo123"), A(T, "([a-z]+)(\\d+)")},
     "{foo,123}"},
    {"regexp_match", false, 3, {A(T, "a"), A(T, "a"), A(T, "z")},
     "ERROR 22023: invalid regular expression option: \"z\""},
    {"regexp_match", false, 2, {A(T, "xaay"), A(T, "a+?")},
     "{a}"},
    {"regexp_match", false, 2, {A(T, "x<ab>y<c>"), A(T, "<.+?>")},
     "{<ab>}"},
    {"regexp_match", false, 2, {A(T, "日本語"), A(T, "(.)(.)")},
     "{日,本}"},
    {"regexp_match", false, 3, {A(T, "ab\ncd"), A(T, "^cd"), A(T, "n")},
     "{cd}"},
    {"regexp_match", false, 3, {A(T, "ab\ncd"), A(T, "b.c"), A(T, "n")},
     "<NULL>"},
    {"regexp_match", false, 3, {A(T, "ab\ncd"), A(T, "b.c"), A(T, "s")},
     "{\"b\nc\"}"},
    {"regexp_match", false, 3, {A(T, "ab\ncd"), A(T, "b.c"), A(T, "p")},
     "<NULL>"},
    {"regexp_match", false, 3, {A(T, "ab\ncd"), A(T, "^cd"), A(T, "p")},
     "<NULL>"},
    {"regexp_match", false, 3, {A(T, "ab\ncd"), A(T, "b.c"), A(T, "w")},
     "{\"b\nc\"}"},
    {"regexp_match", false, 3, {A(T, "ab\ncd"), A(T, "^cd"), A(T, "w")},
     "{cd}"},
    {"regexp_match", false, 3, {A(T, "a.b"), A(T, "."), A(T, "q")},
     "{.}"},
    {"regexp_match", false, 3, {A(T, "A B"), A(T, "a b"), A(T, "ix")},
     "<NULL>"},
    {"regexp_match", false, 3, {A(T, "ab\ncd"), A(T, "[^x]c"), A(T, "n")},
     "<NULL>"},
    {"regexp_replace", false, 3, {A(T, "abcabc"), A(T, "b"), A(T, "X")},
     "aXcabc"},
    {"regexp_replace", false, 4, {A(T, "abcabc"), A(T, "b"), A(T, "X"), A(T, "g")},
     "aXcaXc"},
    {"regexp_replace", false, 4, {A(T, "abcabc"), A(T, "b"), A(T, "X"), A(I4, "3")},
     "abcaXc"},
    {"regexp_replace", false, 5, {A(T, "abcabcabc"), A(T, "b"), A(T, "X"), A(I4, "1"), A(I4, "2")},
     "abcaXcabc"},
    {"regexp_replace", false, 5, {A(T, "abcabcabc"), A(T, "b"), A(T, "X"), A(I4, "1"), A(I4, "0")},
     "aXcaXcaXc"},
    {"regexp_replace", false, 6, {
        A(T, "abcabc"),
        A(T, "B"),
        A(T, "X"),
        A(I4, "1"),
        A(I4, "1"),
        A(T, "i"),
     },
     "aXcabc"},
    {"regexp_replace", false, 6, {
        A(T, "abcabc"),
        A(T, "b"),
        A(T, "X"),
        A(I4, "1"),
        A(I4, "2"),
        A(T, "g"),
     },
     "abcaXc"},
    {"regexp_replace", false, 4, {A(T, "abc"), A(T, "x*"), A(T, "-"), A(T, "g")},
     "-a-b-c-"},
    {"regexp_replace", false, 4, {A(T, "héllo"), A(T, "l"), A(T, "L"), A(T, "g")},
     "héLLo"},
    {"regexp_replace", false, 4, {A(T, "abc"), A(T, "b"), A(T, "X"), A(I4, "0")},
     "ERROR 22023: invalid value for parameter \"start\": 0"},
    {"regexp_replace", false, 5, {A(T, "abc"), A(T, "b"), A(T, "X"), A(I4, "1"), A(I4, "-1")},
     "ERROR 22023: invalid value for parameter \"n\": -1"},
    {"regexp_replace", false, 4, {A(T, "abc"), A(T, "b"), A(T, "X"), A(I4, "10")},
     "abc"},
    {"regexp_replace", false, 3, {A(T, "abc"), A(T, "b"), A(T, "[\\&|\\1|\\\\|\\x]")},
     "a[b||\\|\\x]c"},
    {"regexp_replace", false, 3, {A(T, "abc"), A(T, "(b)"), A(T, "<\\1\\2>")},
     "a<b>c"},
    {"regexp_replace", false, 3, {A(T, "John Smith"), A(T, "(\\w+) (\\w+)"), A(T, "\\2, \\1")},
     "Smith, John"},
    {"regexp_replace", false, 4, {A(T, "<a><b>"), A(T, "<.*?>"), A(T, ""), A(T, "g")},
     ""},
    {"regexp_replace", false, 4, {A(T, "aaa"), A(T, "a*?"), A(T, "X"), A(T, "g")},
     "XaXaXaX"},
    {"regexp_replace", false, 3, {A(T, "abc"), A(T, "b"), A(T, "X\\")},
     "aX\\c"},
    {"regexp_replace", false, 4, {A(T, "é日é"), A(T, "é"), A(T, "e"), A(T, "g")},
     "e日e"},
    {"regexp_replace", false, 4, {A(T, "abc"), A(T, ""), A(T, "-"), A(T, "g")},
     "-a-b-c-"},
    {"regexp_replace", false, 3, {A(T, "ab"), A(T, "$"), A(T, "!")},
     "ab!"},
    {"regexp_count", false, 3, {A(T, "abc"), A(T, ""), A(I4, "5")},
     "0"},
    {"regexp_count", false, 3, {A(T, "abc"), A(T, ""), A(I4, "4")},
     "1"},
    {"regexp_count", false, 2, {A(T, "abc"), A(T, "x*")},
     "4"},
    {"regexp_count", false, 3, {A(T, "aaa"), A(T, "a"), A(I4, "2")},
     "2"},
    {"regexp_count", false, 4, {A(T, "ABCabc"), A(T, "b"), A(I4, "1"), A(T, "i")},
     "2"},
    {"regexp_count", false, 3, {A(T, "abc"), A(T, "b"), A(I4, "0")},
     "ERROR 22023: invalid value for parameter \"start\": 0"},
    {"regexp_count", false, 2, {A(T, "héllo wörld"), A(T, "[^a-z ]")},
     "2"},
    {"regexp_count", false, 4, {A(T, "a"), A(T, "a"), A(I4, "1"), A(T, "g")},
     "ERROR 22023: regexp_count() does not support the \"global\" option"},
    {"regexp_instr", false, 2, {A(T, "abcabc"), A(T, "b")},
     "2"},
    {"regexp_instr", false, 3, {A(T, "abcabc"), A(T, "b"), A(I4, "3")},
     "5"},
    {"regexp_instr", false, 4, {A(T, "abcabc"), A(T, "b"), A(I4, "1"), A(I4, "2")},
     "5"},
    {"regexp_instr", false, 5, {A(T, "abcabc"), A(T, "b"), A(I4, "1"), A(I4, "2"), A(I4, "1")},
     "6"},
    {"regexp_instr", false, 7, {
        A(T, "abcabc"),
        A(T, "(b)(c)"),
        A(I4, "1"),
        A(I4, "1"),
        A(I4, "0"),
        A(T, ""),
        A(I4, "2"),
     },
     "3"},
    {"regexp_instr", false, 7, {
        A(T, "abc"),
        A(T, "(x)?b"),
        A(I4, "1"),
        A(I4, "1"),
        A(I4, "0"),
        A(T, ""),
        A(I4, "1"),
     },
     "0"},
    {"regexp_instr", false, 7, {
        A(T, "abc"),
        A(T, "b"),
        A(I4, "1"),
        A(I4, "1"),
        A(I4, "0"),
        A(T, ""),
        A(I4, "5"),
     },
     "0"},
    {"regexp_instr", false, 2, {A(T, "héllo"), A(T, "l")},
     "3"},
    {"regexp_instr", false, 4, {A(T, "a"), A(T, "a"), A(I4, "1"), A(I4, "0")},
     "ERROR 22023: invalid value for parameter \"n\": 0"},
    {"regexp_instr", false, 5, {A(T, "a"), A(T, "a"), A(I4, "1"), A(I4, "1"), A(I4, "2")},
     "ERROR 22023: invalid value for parameter \"endoption\": 2"},
    {"regexp_instr", false, 7, {
        A(T, "a"),
        A(T, "a"),
        A(I4, "1"),
        A(I4, "1"),
        A(I4, "0"),
        A(T, ""),
        A(I4, "-1"),
     },
     "ERROR 22023: invalid value for parameter \"subexpr\": -1"},
    {"regexp_instr", false, 6, {
        A(T, "ABC"),
        A(T, "c"),
        A(I4, "1"),
        A(I4, "1"),
        A(I4, "1"),
        A(T, "i"),
     },
     "4"},
    {"regexp_substr", false, 4, {A(T, "abcabc"), A(T, "b."), A(I4, "1"), A(I4, "2")},
     "bc"},
    {"regexp_substr", false, 6, {
        A(T, "abc"),
        A(T, "(x)?b"),
        A(I4, "1"),
        A(I4, "1"),
        A(T, ""),
        A(I4, "1"),
     },
     "<NULL>"},
    {"regexp_substr", false, 2, {A(T, "abc"), A(T, "x")},
     "<NULL>"},
    {"regexp_substr", false, 5, {A(T, "ABC"), A(T, "b"), A(I4, "1"), A(I4, "1"), A(T, "i")},
     "B"},
    {"regexp_substr", false, 3, {A(T, "日本語"), A(T, "."), A(I4, "2")},
     "本"},
    {"regexp_substr", false, 5, {A(T, "abc"), A(T, "b"), A(I4, "1"), A(I4, "1"), A(T, "g")},
     "ERROR 22023: regexp_substr() does not support the \"global\" option"},
    {"regexp_split_to_array", false, 2, {A(T, "a,b,,c"), A(T, ",")},
     "{a,b,\"\",c}"},
    {"regexp_split_to_array", false, 2, {A(T, "abc"), A(T, "")},
     "{a,b,c}"},
    {"regexp_split_to_array", false, 2, {A(T, ""), A(T, ",")},
     "{\"\"}"},
    {"regexp_split_to_array", false, 2, {A(T, "abc"), A(T, "x*")},
     "{a,b,c}"},
    {"regexp_split_to_array", false, 2, {A(T, ",a,"), A(T, ",")},
     "{\"\",a,\"\"}"},
    {"regexp_split_to_array", false, 2, {A(T, "héllo"), A(T, "")},
     "{h,é,l,l,o}"},
    {"regexp_split_to_array", false, 3, {A(T, "aXbxc"), A(T, "x"), A(T, "i")},
     "{a,b,c}"},
    {"regexp_split_to_array", false, 3, {A(T, "a"), A(T, "a"), A(T, "g")},
     "ERROR 22023: regexp_split_to_array() does not support the \"global\" option"},
    {"regexp_split_to_array", false, 2, {A(T, "the quick  brown"), A(T, "\\s+")},
     "{the,quick,brown}"},
    {"regexp_matches", false, 3, {A(T, "a1b22c333"), A(T, "[0-9]+"), A(T, "g")},
     "{1};{22};{333}"},
    {"regexp_matches", false, 2, {A(T, "abc"), A(T, "(a)(x)?")},
     "{a,NULL}"},
    {"regexp_matches", false, 2, {A(T, "abc"), A(T, "x")},
     ""},
    {"regexp_matches", false, 3, {A(T, "abab"), A(T, "(a)(b)"), A(T, "g")},
     "{a,b};{a,b}"},
    {"regexp_matches", false, 3, {A(T, "abc"), A(T, ""), A(T, "g")},
     "{\"\"};{\"\"};{\"\"};{\"\"}"},
    {"regexp_matches", false, 3, {A(T, "a"), A(T, "("), A(T, "g")},
     "ERROR 2201B: invalid regular expression: parentheses () not balanced"},
    {"regexp_matches", false, 3, {A(T, "<a><bc>"), A(T, "<(.*?)>"), A(T, "g")},
     "{a};{bc}"},
    {"regexp_matches", false, 3, {A(T, "x1y22z"), A(T, "\\d+?"), A(T, "g")},
     "{1};{2};{2}"},
    {"regexp_instr", false, 5, {A(T, "<a><bc>"), A(T, "<.*?>"), A(I4, "1"), A(I4, "2"), A(I4, "1")},
     "8"},
    {"substring", false, 2, {A(T, "key=val; k2=v2"), A(T, "=(.*?);")},
     "val"},
    {"regexp_replace", false, 3, {A(T, "a.b.c"), A(T, "\\.(.*?)$"), A(T, "!")},
     "a!"},
    {"regexp_match", false, 2, {A(T, "aXbXc"), A(T, "^(.*?)X(.*)$")},
     "{a,bXc}"},
    {"regexp_match", false, 2, {A(T, "foo bar"), A(T, "o\\M(.*?)r$")},
     "{\" ba\"}"},
    {"regexp_split_to_table", false, 2, {A(T, "a b  c"), A(T, "\\s+")},
     "a;b;c"},
    {"regexp_split_to_table", false, 2, {A(T, "héllo"), A(T, "")},
     "h;é;l;l;o"},
    {"regexp_split_to_table", false, 3, {A(T, "a"), A(T, "a"), A(T, "g")},
     "ERROR 22023: regexp_split_to_table() does not support the \"global\" option"},
    {"regexp_split_to_table", false, 2, {A(T, NULL), A(T, "a")},
     ""},
/* END CASES */
};

static void test_sql_fn_regex_matches_postgresql(void **state) {
    (void)state;
    tf_run_cases(regex_cases, sizeof regex_cases / sizeof regex_cases[0]);
}

/* Every row with its own pattern: more patterns than the cache holds, some repeating. */
static void test_sql_fn_regex_patterns_per_row(void **state) {
    (void)state;
    enum { ROWS = 100 };
    const char *rows[ROWS * 2], *out[ROWS];
    for (int r = 0; r < ROWS; r++) {
        rows[2 * r] = rt_arena_sprintf(tf_arena, "row %d of é", r);
        rows[2 * r + 1] = rt_arena_sprintf(tf_arena, "^row %d(\\D|$)", r % 40);
    }
    const tf_arg types[] = {A(T, ""), A(T, "")};
    assert_null(tf_eval_rows("~", true, types, 2, rows, ROWS, out));
    for (int r = 0; r < ROWS; r++) assert_string_equal(out[r], r < 40 ? "t" : "f");
    const tf_arg rtypes[] = {A(T, ""), A(T, ""), A(T, ""), A(T, "")};
    const char *rrows[] = {"aXbX", "x", "-", "g", "aXbX", "X", "-", "g", "aXbX", "X", "-", "",
                           "日本日本", "本", "*", "g", "aXbX", "x", "-", "ig"};
    assert_null(tf_eval_rows("regexp_replace", false, rtypes, 4, rrows, 5, out));
    assert_string_equal(out[0], "aXbX");
    assert_string_equal(out[1], "a-b-");
    assert_string_equal(out[2], "a-bX");
    assert_string_equal(out[3], "日*日*");
    assert_string_equal(out[4], "a-b-");
}

/* An invalid constant pattern is not an error until a row needs it (PostgreSQL reports it
 * when the expression runs); an empty batch runs fine. */
static void test_sql_fn_regex_invalid_constant_pattern(void **state) {
    (void)state;
    uint32_t elem;
    const tf_arg args[] = {A(T, ""), K(T, "a(")};
    const sql_func_def *d = tf_find("~", true, args, 2, &elem);
    sql_expr *e = tf_expr(d, args, 2, elem);
    rt_err err;
    rt_err_clear(&err);
    assert_true(d->prepare(tf_arena, e, &err));
    assert_false(rt_err_is_set(&err));
    sql_batch *b = sql_batch_new(tf_arena, 1, 1);
    sql_vec_init(tf_arena, &b->cols[0], SQL_T_TEXT, -1, 1);
    sql_eval_ctx ec = {.arena = tf_arena, .io = tf_io(&err), .err = &err};
    assert_non_null(sql_eval(&ec, e, b, 0, NULL));
    assert_string_equal(OP("~", A(T, "a"), K(T, "a(")),
                        "ERROR 2201B: invalid regular expression: parentheses () not balanced");
    assert_string_equal(OP("~", A(T, NULL), K(T, "a(")), "<NULL>");
}

/* The same constant pattern over a batch, and the same pattern per row, agree. */
static void test_sql_fn_regex_constant_and_per_row_agree(void **state) {
    (void)state;
    static const char *patterns[] = {"^a.c$", "b+?", "(?i)ABC", "[^a-c]", "\\d{2,}", "é|日",
                                     "^$", "c\\M", "(a|ab)(c|bcd)"};
    static const char *texts[] = {"abc", "aBc", "xx12", "日本", "", "abcd", "é"};
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        for (size_t s = 0; s < sizeof texts / sizeof texts[0]; s++) {
            const char *a = FN("regexp_match", A(T, texts[s]), A(T, patterns[p]));
            const char *k = FN("regexp_match", A(T, texts[s]), K(T, patterns[p]));
            assert_string_equal(a, k);
        }
    }
}

static void *test_regex_thread(void *arg) {
    (void)arg;
    rt_arena *arena = rt_arena_create(1u << 20);
    rt_err err;
    rt_err_clear(&err);
    sql_fctx f = {.arena = arena, .err = &err};
    const char *pat = "^(x+)y$";
    const sql_regex *re = sql_re_get(&f, (sql_bytes){(const uint8_t *)pat, 7}, 0);
    bool ok = re != NULL && sql_re_test(&f, re, (const uint8_t *)"xxy", 3) == 1;
    rt_arena_destroy(arena);
    return ok ? arg : NULL;
}

/* A thread (shard) that used regular expressions frees its cache when it exits (the
 * sanitizer build reports a leak otherwise). */
static void test_sql_fn_regex_thread_cache_is_freed(void **state) {
    (void)state;
    pthread_t th;
    void *ret = NULL;
    int token;
    assert_int_equal(pthread_create(&th, NULL, test_regex_thread, &token), 0);
    assert_int_equal(pthread_join(th, &ret), 0);
    assert_ptr_equal(ret, &token);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_fn_regex_matches_postgresql),
        cmocka_unit_test(test_sql_fn_regex_patterns_per_row),
        cmocka_unit_test(test_sql_fn_regex_invalid_constant_pattern),
        cmocka_unit_test(test_sql_fn_regex_constant_and_per_row_agree),
        cmocka_unit_test(test_sql_fn_regex_thread_cache_is_freed),
    };
    return cmocka_run_group_tests(tests, tf_setup, tf_teardown);
}
