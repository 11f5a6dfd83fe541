/* sql_float_trig.c: trigonometric and hyperbolic functions of float8, in radians and degrees,
 * with PostgreSQL 15's results and errors.
 *
 * The degree variants must be exact where the mathematical answer is a simple number
 * (sind(30) = 0.5, cosd(60) = 0.5, tand(45) = 1), which sin(30 * pi/180) is not. So the angle
 * is first folded into [0, 90] using exact identities, and the libm result is then scaled so
 * that it meets the exact value at the ends of its range: sin on [0, 30] is divided by
 * sin(30 degrees) and halved; cos on [0, 60] is expressed through (1 - cos) / (1 - cos 60).
 * The inverse functions are scaled the same way by asin(0.5), acos(0.5) and atan(1). */
#include "sql/sql_float.h"

#include <math.h>

/* The double nearest pi / 180 (PostgreSQL's RADIANS_PER_DEGREE). */
#define FLOAT_RADIANS_PER_DEGREE 0.0174532925199432957692

/* Reference values of libm at the anchor angles. Computed at run time (not folded by the
 * compiler, whose constant folding may round differently than libm) before main(). */
static double float_sin_30;
static double float_one_minus_cos_60;
static double float_asin_0_5;
static double float_acos_0_5;
static double float_atan_1_0;

__attribute__((constructor)) static void float_trig_init(void) {
    volatile double deg30 = 30.0, deg60 = 60.0, half = 0.5, one = 1.0;
    float_sin_30 = sin(deg30 * FLOAT_RADIANS_PER_DEGREE);
    float_one_minus_cos_60 = 1.0 - cos(deg60 * FLOAT_RADIANS_PER_DEGREE);
    float_asin_0_5 = asin(half);
    float_acos_0_5 = acos(half);
    float_atan_1_0 = atan(one);
}

static bool float_input_out_of_range(rt_err *err) {
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "input is out of range");
}

/* ---- radians ------------------------------------------------------------------------------ */

/* NaN passes through every function (libm returns NaN); an infinite angle is an error. */
bool sql_float8_sin(double x, double *out, rt_err *err) {
    if (isinf(x)) return float_input_out_of_range(err);
    *out = sin(x);
    return true;
}

bool sql_float8_cos(double x, double *out, rt_err *err) {
    if (isinf(x)) return float_input_out_of_range(err);
    *out = cos(x);
    return true;
}

bool sql_float8_tan(double x, double *out, rt_err *err) {
    if (isinf(x)) return float_input_out_of_range(err);
    *out = tan(x);
    return true;
}

bool sql_float8_cot(double x, double *out, rt_err *err) {
    if (isinf(x)) return float_input_out_of_range(err);
    *out = 1.0 / tan(x); /* cot(0) is Infinity, not an error */
    return true;
}

bool sql_float8_asin(double x, double *out, rt_err *err) {
    if (x < -1.0 || x > 1.0) return float_input_out_of_range(err);
    *out = asin(x);
    return true;
}

bool sql_float8_acos(double x, double *out, rt_err *err) {
    if (x < -1.0 || x > 1.0) return float_input_out_of_range(err);
    *out = acos(x);
    return true;
}

bool sql_float8_atan(double x, double *out, rt_err *err) {
    *out = atan(x);
    return true;
}

bool sql_float8_atan2(double y, double x, double *out, rt_err *err) {
    *out = atan2(y, x);
    return true;
}

/* ---- degrees: first quadrant -------------------------------------------------------------- */

/* sin(x degrees) for x in [0, 30], exactly 0.5 at 30. */
static double float_sin_0_to_30(double x) {
    return (sin(x * FLOAT_RADIANS_PER_DEGREE) / float_sin_30) * 0.5;
}

/* cos(x degrees) for x in [0, 60], exactly 0.5 at 60. */
static double float_cos_0_to_60(double x) {
    double one_minus_cos = 1.0 - cos(x * FLOAT_RADIANS_PER_DEGREE);
    return 1.0 - (one_minus_cos / float_one_minus_cos_60) / 2.0;
}

/* sin and cos of x in [0, 90], each from the formula that is exact at its end points. */
static double float_sind_q1(double x) {
    return x <= 30.0 ? float_sin_0_to_30(x) : float_cos_0_to_60(90.0 - x);
}

static double float_cosd_q1(double x) {
    return x <= 60.0 ? float_cos_0_to_60(x) : float_sin_0_to_30(90.0 - x);
}

/* tand and cotd fold the angle the same way: into [0, 90] with a sign. */
static double float_fold_tangent(double x, double *sign) {
    x = fmod(x, 360.0);
    *sign = 1.0;
    if (x < 0) {
        x = -x; /* tan(-x) = -tan(x) */
        *sign = -*sign;
    }
    if (x > 180.0) {
        x = 360.0 - x; /* tan(360 - x) = -tan(x) */
        *sign = -*sign;
    }
    if (x > 90.0) {
        x = 180.0 - x; /* tan(180 - x) = -tan(x) */
        *sign = -*sign;
    }
    return x;
}

/* ---- degrees ------------------------------------------------------------------------------ */

bool sql_float8_sind(double x, double *out, rt_err *err) {
    if (isnan(x)) {
        *out = x;
        return true;
    }
    if (isinf(x)) return float_input_out_of_range(err);
    x = fmod(x, 360.0);
    double sign = 1.0;
    if (x < 0) {
        x = -x;
        sign = -sign;
    }
    if (x > 180.0) {
        x -= 180.0; /* sin(x) = -sin(x - 180) */
        sign = -sign;
    }
    if (x > 90.0) x = 180.0 - x;
    *out = sign * float_sind_q1(x);
    return true;
}

bool sql_float8_cosd(double x, double *out, rt_err *err) {
    if (isnan(x)) {
        *out = x;
        return true;
    }
    if (isinf(x)) return float_input_out_of_range(err);
    x = fabs(fmod(x, 360.0));
    if (x > 180.0) x = 360.0 - x;
    double sign = 1.0;
    if (x > 90.0) {
        x = 180.0 - x;
        sign = -sign;
    }
    *out = sign * float_cosd_q1(x);
    return true;
}

bool sql_float8_tand(double x, double *out, rt_err *err) {
    if (isnan(x)) {
        *out = x;
        return true;
    }
    if (isinf(x)) return float_input_out_of_range(err);
    double sign;
    x = float_fold_tangent(x, &sign);
    double r = sign * (float_sind_q1(x) / float_cosd_q1(x));
    *out = r == 0.0 ? 0.0 : r; /* PostgreSQL never returns -0 here */
    return true;
}

bool sql_float8_cotd(double x, double *out, rt_err *err) {
    if (isnan(x)) {
        *out = x;
        return true;
    }
    if (isinf(x)) return float_input_out_of_range(err);
    double sign;
    x = float_fold_tangent(x, &sign);
    double r = sign * (float_cosd_q1(x) / float_sind_q1(x));
    *out = r == 0.0 ? 0.0 : r;
    return true;
}

/* asin in degrees for x in [0, 1]: exact 30 at 0.5 and 90 at 1. */
static double float_asind_q1(double x) {
    if (x <= 0.5) return (asin(x) / float_asin_0_5) * 30.0;
    return 90.0 - (acos(x) / float_acos_0_5) * 60.0;
}

/* acos in degrees for x in [0, 1]: exact 60 at 0.5 and 0 at 1. */
static double float_acosd_q1(double x) {
    if (x <= 0.5) return 90.0 - (asin(x) / float_asin_0_5) * 30.0;
    return (acos(x) / float_acos_0_5) * 60.0;
}

bool sql_float8_asind(double x, double *out, rt_err *err) {
    if (isnan(x)) {
        *out = x;
        return true;
    }
    if (x < -1.0 || x > 1.0) return float_input_out_of_range(err);
    *out = x >= 0 ? float_asind_q1(x) : -float_asind_q1(-x);
    return true;
}

bool sql_float8_acosd(double x, double *out, rt_err *err) {
    if (isnan(x)) {
        *out = x;
        return true;
    }
    if (x < -1.0 || x > 1.0) return float_input_out_of_range(err);
    *out = x >= 0 ? float_acosd_q1(x) : 90.0 + float_asind_q1(-x);
    return true;
}

bool sql_float8_atand(double x, double *out, rt_err *err) {
    *out = isnan(x) ? x : (atan(x) / float_atan_1_0) * 45.0;
    return true;
}

bool sql_float8_atan2d(double y, double x, double *out, rt_err *err) {
    if (isnan(x) || isnan(y)) {
        *out = isnan(x) ? x : y;
        return true;
    }
    *out = (atan2(y, x) / float_atan_1_0) * 45.0;
    return true;
}

/* ---- hyperbolic --------------------------------------------------------------------------- */

/* Overflow gives +-Infinity here (PostgreSQL does not raise an error for these). */
double sql_float8_sinh(double x) { return sinh(x); }
double sql_float8_cosh(double x) { return cosh(x); }
double sql_float8_tanh(double x) { return tanh(x); }
double sql_float8_asinh(double x) { return asinh(x); }

bool sql_float8_acosh(double x, double *out, rt_err *err) {
    if (x < 1.0) return float_input_out_of_range(err);
    *out = acosh(x);
    return true;
}

bool sql_float8_atanh(double x, double *out, rt_err *err) {
    if (x < -1.0 || x > 1.0) return float_input_out_of_range(err);
    if (x == 1.0 || x == -1.0) {
        *out = x * INFINITY; /* the poles are +-Infinity, not errors */
        return true;
    }
    *out = atanh(x);
    return true;
}

/* ---- degrees <-> radians ------------------------------------------------------------------ */

bool sql_float8_degrees(double radians, double *out, rt_err *err) {
    return sql_float8_div(radians, FLOAT_RADIANS_PER_DEGREE, out, err);
}

bool sql_float8_radians(double degrees, double *out, rt_err *err) {
    return sql_float8_mul(degrees, FLOAT_RADIANS_PER_DEGREE, out, err);
}

double sql_float8_pi(void) { return M_PI; }
