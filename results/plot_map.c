/*
 * plot_map.c owns the coverage map picture of plot.h (osq_plot_map, osq_plot_map_geometry): its
 * layout, the viridis colour scale, the raster painting of the cells and borders, the graticule,
 * the colour bar and the legend swatches. What it shares with the line chart (canvas, PNG,
 * text, ticks, titles) is in plot_draw.c.
 *
 * The cells are written straight into the image surface's pixels (one pass, averaging several
 * cells per pixel when the window is finer than the picture), then cairo draws the vector parts
 * (frame, graticule, colour bar, text) on top.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/plot.h"
#include "results/plot_draw.h"

/* ---------------------------------------------------------------------------------------------- */
/* Colours                                                                                          */
/* ---------------------------------------------------------------------------------------------- */

/*
 * viridis, 256 entries: the perceptually uniform colour map by Stéfan van der Walt and
 * Nathaniel Smith (matplotlib 1.5), copied from matplotlib's lib/matplotlib/_cm_listed.py
 * (_viridis_data). The map is released under CC0 ("no rights reserved"); see
 * https://github.com/BIDS/colormap. Lightness rises monotonically, so the scale reads the same
 * in grey and for colour-blind readers.
 */
static const float viridis[256][3] = {
    {0.267004f, 0.004874f, 0.329415f}, {0.268510f, 0.009605f, 0.335427f},
    {0.269944f, 0.014625f, 0.341379f}, {0.271305f, 0.019942f, 0.347269f},
    {0.272594f, 0.025563f, 0.353093f}, {0.273809f, 0.031497f, 0.358853f},
    {0.274952f, 0.037752f, 0.364543f}, {0.276022f, 0.044167f, 0.370164f},
    {0.277018f, 0.050344f, 0.375715f}, {0.277941f, 0.056324f, 0.381191f},
    {0.278791f, 0.062145f, 0.386592f}, {0.279566f, 0.067836f, 0.391917f},
    {0.280267f, 0.073417f, 0.397163f}, {0.280894f, 0.078907f, 0.402329f},
    {0.281446f, 0.084320f, 0.407414f}, {0.281924f, 0.089666f, 0.412415f},
    {0.282327f, 0.094955f, 0.417331f}, {0.282656f, 0.100196f, 0.422160f},
    {0.282910f, 0.105393f, 0.426902f}, {0.283091f, 0.110553f, 0.431554f},
    {0.283197f, 0.115680f, 0.436115f}, {0.283229f, 0.120777f, 0.440584f},
    {0.283187f, 0.125848f, 0.444960f}, {0.283072f, 0.130895f, 0.449241f},
    {0.282884f, 0.135920f, 0.453427f}, {0.282623f, 0.140926f, 0.457517f},
    {0.282290f, 0.145912f, 0.461510f}, {0.281887f, 0.150881f, 0.465405f},
    {0.281412f, 0.155834f, 0.469201f}, {0.280868f, 0.160771f, 0.472899f},
    {0.280255f, 0.165693f, 0.476498f}, {0.279574f, 0.170599f, 0.479997f},
    {0.278826f, 0.175490f, 0.483397f}, {0.278012f, 0.180367f, 0.486697f},
    {0.277134f, 0.185228f, 0.489898f}, {0.276194f, 0.190074f, 0.493001f},
    {0.275191f, 0.194905f, 0.496005f}, {0.274128f, 0.199721f, 0.498911f},
    {0.273006f, 0.204520f, 0.501721f}, {0.271828f, 0.209303f, 0.504434f},
    {0.270595f, 0.214069f, 0.507052f}, {0.269308f, 0.218818f, 0.509577f},
    {0.267968f, 0.223549f, 0.512008f}, {0.266580f, 0.228262f, 0.514349f},
    {0.265145f, 0.232956f, 0.516599f}, {0.263663f, 0.237631f, 0.518762f},
    {0.262138f, 0.242286f, 0.520837f}, {0.260571f, 0.246922f, 0.522828f},
    {0.258965f, 0.251537f, 0.524736f}, {0.257322f, 0.256130f, 0.526563f},
    {0.255645f, 0.260703f, 0.528312f}, {0.253935f, 0.265254f, 0.529983f},
    {0.252194f, 0.269783f, 0.531579f}, {0.250425f, 0.274290f, 0.533103f},
    {0.248629f, 0.278775f, 0.534556f}, {0.246811f, 0.283237f, 0.535941f},
    {0.244972f, 0.287675f, 0.537260f}, {0.243113f, 0.292092f, 0.538516f},
    {0.241237f, 0.296485f, 0.539709f}, {0.239346f, 0.300855f, 0.540844f},
    {0.237441f, 0.305202f, 0.541921f}, {0.235526f, 0.309527f, 0.542944f},
    {0.233603f, 0.313828f, 0.543914f}, {0.231674f, 0.318106f, 0.544834f},
    {0.229739f, 0.322361f, 0.545706f}, {0.227802f, 0.326594f, 0.546532f},
    {0.225863f, 0.330805f, 0.547314f}, {0.223925f, 0.334994f, 0.548053f},
    {0.221989f, 0.339161f, 0.548752f}, {0.220057f, 0.343307f, 0.549413f},
    {0.218130f, 0.347432f, 0.550038f}, {0.216210f, 0.351535f, 0.550627f},
    {0.214298f, 0.355619f, 0.551184f}, {0.212395f, 0.359683f, 0.551710f},
    {0.210503f, 0.363727f, 0.552206f}, {0.208623f, 0.367752f, 0.552675f},
    {0.206756f, 0.371758f, 0.553117f}, {0.204903f, 0.375746f, 0.553533f},
    {0.203063f, 0.379716f, 0.553925f}, {0.201239f, 0.383670f, 0.554294f},
    {0.199430f, 0.387607f, 0.554642f}, {0.197636f, 0.391528f, 0.554969f},
    {0.195860f, 0.395433f, 0.555276f}, {0.194100f, 0.399323f, 0.555565f},
    {0.192357f, 0.403199f, 0.555836f}, {0.190631f, 0.407061f, 0.556089f},
    {0.188923f, 0.410910f, 0.556326f}, {0.187231f, 0.414746f, 0.556547f},
    {0.185556f, 0.418570f, 0.556753f}, {0.183898f, 0.422383f, 0.556944f},
    {0.182256f, 0.426184f, 0.557120f}, {0.180629f, 0.429975f, 0.557282f},
    {0.179019f, 0.433756f, 0.557430f}, {0.177423f, 0.437527f, 0.557565f},
    {0.175841f, 0.441290f, 0.557685f}, {0.174274f, 0.445044f, 0.557792f},
    {0.172719f, 0.448791f, 0.557885f}, {0.171176f, 0.452530f, 0.557965f},
    {0.169646f, 0.456262f, 0.558030f}, {0.168126f, 0.459988f, 0.558082f},
    {0.166617f, 0.463708f, 0.558119f}, {0.165117f, 0.467423f, 0.558141f},
    {0.163625f, 0.471133f, 0.558148f}, {0.162142f, 0.474838f, 0.558140f},
    {0.160665f, 0.478540f, 0.558115f}, {0.159194f, 0.482237f, 0.558073f},
    {0.157729f, 0.485932f, 0.558013f}, {0.156270f, 0.489624f, 0.557936f},
    {0.154815f, 0.493313f, 0.557840f}, {0.153364f, 0.497000f, 0.557724f},
    {0.151918f, 0.500685f, 0.557587f}, {0.150476f, 0.504369f, 0.557430f},
    {0.149039f, 0.508051f, 0.557250f}, {0.147607f, 0.511733f, 0.557049f},
    {0.146180f, 0.515413f, 0.556823f}, {0.144759f, 0.519093f, 0.556572f},
    {0.143343f, 0.522773f, 0.556295f}, {0.141935f, 0.526453f, 0.555991f},
    {0.140536f, 0.530132f, 0.555659f}, {0.139147f, 0.533812f, 0.555298f},
    {0.137770f, 0.537492f, 0.554906f}, {0.136408f, 0.541173f, 0.554483f},
    {0.135066f, 0.544853f, 0.554029f}, {0.133743f, 0.548535f, 0.553541f},
    {0.132444f, 0.552216f, 0.553018f}, {0.131172f, 0.555899f, 0.552459f},
    {0.129933f, 0.559582f, 0.551864f}, {0.128729f, 0.563265f, 0.551229f},
    {0.127568f, 0.566949f, 0.550556f}, {0.126453f, 0.570633f, 0.549841f},
    {0.125394f, 0.574318f, 0.549086f}, {0.124395f, 0.578002f, 0.548287f},
    {0.123463f, 0.581687f, 0.547445f}, {0.122606f, 0.585371f, 0.546557f},
    {0.121831f, 0.589055f, 0.545623f}, {0.121148f, 0.592739f, 0.544641f},
    {0.120565f, 0.596422f, 0.543611f}, {0.120092f, 0.600104f, 0.542530f},
    {0.119738f, 0.603785f, 0.541400f}, {0.119512f, 0.607464f, 0.540218f},
    {0.119423f, 0.611141f, 0.538982f}, {0.119483f, 0.614817f, 0.537692f},
    {0.119699f, 0.618490f, 0.536347f}, {0.120081f, 0.622161f, 0.534946f},
    {0.120638f, 0.625828f, 0.533488f}, {0.121380f, 0.629492f, 0.531973f},
    {0.122312f, 0.633153f, 0.530398f}, {0.123444f, 0.636809f, 0.528763f},
    {0.124780f, 0.640461f, 0.527068f}, {0.126326f, 0.644107f, 0.525311f},
    {0.128087f, 0.647749f, 0.523491f}, {0.130067f, 0.651384f, 0.521608f},
    {0.132268f, 0.655014f, 0.519661f}, {0.134692f, 0.658636f, 0.517649f},
    {0.137339f, 0.662252f, 0.515571f}, {0.140210f, 0.665859f, 0.513427f},
    {0.143303f, 0.669459f, 0.511215f}, {0.146616f, 0.673050f, 0.508936f},
    {0.150148f, 0.676631f, 0.506589f}, {0.153894f, 0.680203f, 0.504172f},
    {0.157851f, 0.683765f, 0.501686f}, {0.162016f, 0.687316f, 0.499129f},
    {0.166383f, 0.690856f, 0.496502f}, {0.170948f, 0.694384f, 0.493803f},
    {0.175707f, 0.697900f, 0.491033f}, {0.180653f, 0.701402f, 0.488189f},
    {0.185783f, 0.704891f, 0.485273f}, {0.191090f, 0.708366f, 0.482284f},
    {0.196571f, 0.711827f, 0.479221f}, {0.202219f, 0.715272f, 0.476084f},
    {0.208030f, 0.718701f, 0.472873f}, {0.214000f, 0.722114f, 0.469588f},
    {0.220124f, 0.725509f, 0.466226f}, {0.226397f, 0.728888f, 0.462789f},
    {0.232815f, 0.732247f, 0.459277f}, {0.239374f, 0.735588f, 0.455688f},
    {0.246070f, 0.738910f, 0.452024f}, {0.252899f, 0.742211f, 0.448284f},
    {0.259857f, 0.745492f, 0.444467f}, {0.266941f, 0.748751f, 0.440573f},
    {0.274149f, 0.751988f, 0.436601f}, {0.281477f, 0.755203f, 0.432552f},
    {0.288921f, 0.758394f, 0.428426f}, {0.296479f, 0.761561f, 0.424223f},
    {0.304148f, 0.764704f, 0.419943f}, {0.311925f, 0.767822f, 0.415586f},
    {0.319809f, 0.770914f, 0.411152f}, {0.327796f, 0.773980f, 0.406640f},
    {0.335885f, 0.777018f, 0.402049f}, {0.344074f, 0.780029f, 0.397381f},
    {0.352360f, 0.783011f, 0.392636f}, {0.360741f, 0.785964f, 0.387814f},
    {0.369214f, 0.788888f, 0.382914f}, {0.377779f, 0.791781f, 0.377939f},
    {0.386433f, 0.794644f, 0.372886f}, {0.395174f, 0.797475f, 0.367757f},
    {0.404001f, 0.800275f, 0.362552f}, {0.412913f, 0.803041f, 0.357269f},
    {0.421908f, 0.805774f, 0.351910f}, {0.430983f, 0.808473f, 0.346476f},
    {0.440137f, 0.811138f, 0.340967f}, {0.449368f, 0.813768f, 0.335384f},
    {0.458674f, 0.816363f, 0.329727f}, {0.468053f, 0.818921f, 0.323998f},
    {0.477504f, 0.821444f, 0.318195f}, {0.487026f, 0.823929f, 0.312321f},
    {0.496615f, 0.826376f, 0.306377f}, {0.506271f, 0.828786f, 0.300362f},
    {0.515992f, 0.831158f, 0.294279f}, {0.525776f, 0.833491f, 0.288127f},
    {0.535621f, 0.835785f, 0.281908f}, {0.545524f, 0.838039f, 0.275626f},
    {0.555484f, 0.840254f, 0.269281f}, {0.565498f, 0.842430f, 0.262877f},
    {0.575563f, 0.844566f, 0.256415f}, {0.585678f, 0.846661f, 0.249897f},
    {0.595839f, 0.848717f, 0.243329f}, {0.606045f, 0.850733f, 0.236712f},
    {0.616293f, 0.852709f, 0.230052f}, {0.626579f, 0.854645f, 0.223353f},
    {0.636902f, 0.856542f, 0.216620f}, {0.647257f, 0.858400f, 0.209861f},
    {0.657642f, 0.860219f, 0.203082f}, {0.668054f, 0.861999f, 0.196293f},
    {0.678489f, 0.863742f, 0.189503f}, {0.688944f, 0.865448f, 0.182725f},
    {0.699415f, 0.867117f, 0.175971f}, {0.709898f, 0.868751f, 0.169257f},
    {0.720391f, 0.870350f, 0.162603f}, {0.730889f, 0.871916f, 0.156029f},
    {0.741388f, 0.873449f, 0.149561f}, {0.751884f, 0.874951f, 0.143228f},
    {0.762373f, 0.876424f, 0.137064f}, {0.772852f, 0.877868f, 0.131109f},
    {0.783315f, 0.879285f, 0.125405f}, {0.793760f, 0.880678f, 0.120005f},
    {0.804182f, 0.882046f, 0.114965f}, {0.814576f, 0.883393f, 0.110347f},
    {0.824940f, 0.884720f, 0.106217f}, {0.835270f, 0.886029f, 0.102646f},
    {0.845561f, 0.887322f, 0.099702f}, {0.855810f, 0.888601f, 0.097452f},
    {0.866013f, 0.889868f, 0.095953f}, {0.876168f, 0.891125f, 0.095250f},
    {0.886271f, 0.892374f, 0.095374f}, {0.896320f, 0.893616f, 0.096335f},
    {0.906311f, 0.894855f, 0.098125f}, {0.916242f, 0.896091f, 0.100717f},
    {0.926106f, 0.897330f, 0.104071f}, {0.935904f, 0.898570f, 0.108131f},
    {0.945636f, 0.899815f, 0.112838f}, {0.955300f, 0.901065f, 0.118128f},
    {0.964894f, 0.902323f, 0.123941f}, {0.974417f, 0.903590f, 0.130215f},
    {0.983868f, 0.904867f, 0.136897f}, {0.993248f, 0.906157f, 0.143936f},
};

#define RGB_NODATA 0xC8C8C8   /* territory without a value */
#define RGB_FOREIGN 0xE8E8E8  /* non-party land: paler, so that it recedes */
#define RGB_BORDER 0x383838   /* frontier between two land ids */
#define RGB_BORDER_ON_DARK 0xBEBEBE /* the same where the cell is too dark to show it (low viridis) */
#define RGB_COAST 0x8A8A8A    /* where land (any id) meets id 0 */

static uint32_t viridis_rgb(int i) {
  uint32_t r = (uint32_t)lround(viridis[i][0] * 255.0);
  uint32_t g = (uint32_t)lround(viridis[i][1] * 255.0);
  uint32_t b = (uint32_t)lround(viridis[i][2] * 255.0);
  return (r << 16) | (g << 8) | b;
}

/* Approximate lightness 0..255 of a pixel (Rec. 709 weights on the sRGB values). */
static unsigned luma(uint32_t px) {
  return (2126u * ((px >> 16) & 0xFF) + 7152u * ((px >> 8) & 0xFF) + 722u * (px & 0xFF)) / 10000u;
}

/* Colour-scale entry of a value, as matplotlib maps it: floor(t * N), clamped to 0..N-1. */
static int scale_index(double v, double vmin, double vmax) {
  double t = (v - vmin) / (vmax - vmin);
  if (!(t > 0.0)) return 0;
  if (t >= 1.0) return 255;
  int i = (int)(t * 256.0);
  return i > 255 ? 255 : i;
}

/* ---------------------------------------------------------------------------------------------- */
/* Layout                                                                                           */
/* ---------------------------------------------------------------------------------------------- */

/* Graticule spacing of one axis: 30 degrees, finer for a small window (at least 3 lines) and
 * coarser when labels would collide (min_px: space one label needs). */
static double graticule_step(double span_deg, double px_per_deg, double min_px) {
  static const double steps[] = {1, 2, 5, 10, 15, 30, 60, 90};
  int n = (int)(sizeof steps / sizeof steps[0]);
  int i = 5; /* 30 degrees */
  while (i > 0 && span_deg / steps[i] < 3.0) i--; /* about 3 lines in the window */
  while (i < n - 1 && steps[i] * px_per_deg < min_px) i++;
  return steps[i];
}

/* Longitude label: normalised to (-180, 180], "30°E", "0°", "180°". */
static void lon_label(double lon, char out[OSQ__DRAW_LABEL_LEN]) {
  double l = fmod(lon, 360.0);
  if (l > 180.0) l -= 360.0;
  if (l <= -180.0) l += 360.0;
  long v = lround(l);
  if (v == 0 || v == 180)
    snprintf(out, OSQ__DRAW_LABEL_LEN, "%ld\xc2\xb0", v);
  else
    snprintf(out, OSQ__DRAW_LABEL_LEN, "%ld\xc2\xb0%c", labs(v), v > 0 ? 'E' : 'W');
}

static void lat_label(double lat, char out[OSQ__DRAW_LABEL_LEN]) {
  long v = lround(lat);
  if (v == 0)
    snprintf(out, OSQ__DRAW_LABEL_LEN, "0\xc2\xb0");
  else
    snprintf(out, OSQ__DRAW_LABEL_LEN, "%ld\xc2\xb0%c", labs(v), v > 0 ? 'N' : 'S');
}

/* Everything the map's layout fixes: sizes in pixels and the font sizes behind them. */
typedef struct {
  int width, height;
  int map_x, map_y, map_w, map_h;
  double s;                               /* scale of fonts and spacing against 1800 px */
  osq__draw_titles_t titles;              /* title and subtitle: fonts and places */
  double f_label, f_legend;               /* font sizes: graticule and tick labels, bar label */
  double lon_step, lat_step;              /* graticule spacing, degrees */
  double bar_x, bar_y, bar_w, bar_h;      /* colour bar */
  double sw_x;                            /* first swatch, right of the bar */
  double text_x;                          /* left edge of the titles */
  double legend_y;                        /* top of the colour bar's label */
  bool nodata, foreign;                   /* swatches to show: such cells are in the window */
  double ticks[OSQ_PLOT_TICKS_MAX + 1];
  int n_ticks;
  int tick_dec;                           /* decimals of the nice ticks, -1 for caller's ticks */
} map_layout_t;

static int map_check(const char *path, const osq_plot_map_t *m, osq_error_t *err) {
  if (!m || !m->value) return osq_error_add(err, OSQ_EINVAL, path, 0, "map: no values to draw");
  if (m->nlat < 1 || m->nlon < 1)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "map: window of %d x %d cells (need at least 1 x 1)",
                         m->nlat, m->nlon);
  if (m->stride != 0 && m->stride < (size_t)m->nlon)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "map: row stride %zu is shorter than a row (%d cells)",
                         m->stride, m->nlon);
  if (!(m->res_deg > 0.0) || !isfinite(m->res_deg) || !isfinite(m->lat0) || !isfinite(m->lon0))
    return osq_error_add(err, OSQ_EINVAL, path, 0, "map: the window needs a finite corner and a cell size > 0");
  if (m->lat0 < -90.0 - 1e-9 || m->lat0 + m->nlat * m->res_deg > 90.0 + 1e-6)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "map: latitudes %g..%g leave -90..90", m->lat0,
                         m->lat0 + m->nlat * m->res_deg);
  if (m->nlon * m->res_deg > 360.0 + 1e-6)
    return osq_error_add(err, OSQ_EINVAL, path, 0, "map: the window spans %g degrees of longitude (at most 360)",
                         m->nlon * m->res_deg);
  if (!isfinite(m->vmin) || !isfinite(m->vmax) || !(m->vmin < m->vmax))
    return osq_error_add(err, OSQ_EINVAL, path, 0, "map: colour range %g..%g (need finite vmin < vmax)", m->vmin,
                         m->vmax);
  if (m->n_ticks < 0 || m->n_ticks > OSQ_PLOT_TICKS_MAX || (m->n_ticks > 0 && !m->ticks))
    return osq_error_add(err, OSQ_EINVAL, path, 0, "map: %d colour-bar ticks (0..%d, with the array)", m->n_ticks,
                         OSQ_PLOT_TICKS_MAX);
  for (int i = 0; i < m->n_ticks; i++) {
    if (!(m->ticks[i] >= m->vmin && m->ticks[i] <= m->vmax))
      return osq_error_add(err, OSQ_EINVAL, path, 0, "map: colour-bar tick %g lies outside %g..%g", m->ticks[i],
                           m->vmin, m->vmax);
  }
  int w = m->width_px ? m->width_px : OSQ_PLOT_MAP_WIDTH_DEFAULT;
  if (w < OSQ_PLOT_WIDTH_MIN || w > OSQ_PLOT_WIDTH_MAX)
    return osq_error_add(err, OSQ_ERANGE, path, 0, "map: width %d px (%d..%d)", w, OSQ_PLOT_WIDTH_MIN,
                         OSQ_PLOT_WIDTH_MAX);
  return 0;
}

/* Which of the colours outside the scale the window holds (the legend shows only those). */
static void map_scan(const osq_plot_map_t *m, bool *nodata, bool *foreign) {
  *nodata = *foreign = false;
  if (!m->tid) return;
  size_t stride = m->stride ? m->stride : (size_t)m->nlon;
  for (int r = 0; r < m->nlat; r++) {
    const float *v = m->value + (size_t)r * stride;
    const uint8_t *t = m->tid + (size_t)r * stride;
    for (int c = 0; c < m->nlon; c++) {
      if (!isnan(v[c]) || t[c] == 0) continue;
      if (t[c] == 255)
        *foreign = true;
      else
        *nodata = true;
    }
  }
}

#define FOREIGN_LABEL "non-party land"

/* The colour bar's ticks: the caller's, or "nice" ones about a quarter of the range apart. */
static void map_bar_ticks(const osq_plot_map_t *m, map_layout_t *L) {
  if (m->n_ticks > 0) {
    L->n_ticks = m->n_ticks;
    memcpy(L->ticks, m->ticks, (size_t)m->n_ticks * sizeof *m->ticks);
    L->tick_dec = -1;
  } else {
    double step = osq__draw_nice_step((m->vmax - m->vmin) / 4.0);
    double t0 = ceil(m->vmin / step - 1e-9) * step;
    for (double t = t0; t <= m->vmax + 1e-9 * step && L->n_ticks <= OSQ_PLOT_TICKS_MAX; t += step)
      L->ticks[L->n_ticks++] = fabs(t) < 1e-12 * step ? 0.0 : t;
    L->tick_dec = osq__draw_step_decimals(step);
  }
}

/* Lay the map out; cr is any context (only fonts are measured). */
static int map_layout(cairo_t *cr, const char *path, const osq_plot_map_t *m, map_layout_t *L, osq_error_t *err) {
  memset(L, 0, sizeof *L);
  int W = m->width_px ? m->width_px : OSQ_PLOT_MAP_WIDTH_DEFAULT;
  double s = W / 1800.0;
  if (s < 0.6) s = 0.6; /* small pictures keep legible text */
  if (s > 2.0) s = 2.0;
  L->s = s;
  L->titles = (osq__draw_titles_t){.title = m->title, .subtitle = m->subtitle, .f_title = 30.0 * s, .f_sub = 19.0 * s};
  L->f_label = 16.0 * s;
  L->f_legend = 17.0 * s;
  double pad = 24.0 * s;
  double span_lon = m->nlon * m->res_deg, span_lat = m->nlat * m->res_deg;

  double y = osq__draw_titles_layout(cr, &L->titles, pad, s) + 10.0 * s;

  /* Margins for the graticule labels: the widest latitude label on the left, half a longitude
   * label on the right (the last meridian's label is centred on the frame). */
  osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
  double lab_h = osq__draw_line_height(cr);
  double lat_w = osq__draw_text_width(cr, "88\xc2\xb0N");
  double lon_w = osq__draw_text_width(cr, "188\xc2\xb0W");
  double tick = 6.0 * s;
  double left = pad + lat_w + tick + 4.0 * s;
  L->text_x = round(left); /* titles start here even when a tall map is centred */
  double right = pad + lon_w / 2.0;
  double map_w = W - left - right;
  double map_h = map_w * span_lat / span_lon;
  /* A tall window would make a tall picture: limit the map's height and centre it. */
  double max_h = 1.4 * W;
  if (map_h > max_h) {
    map_h = max_h;
    double w2 = map_h * span_lon / span_lat;
    left += (map_w - w2) / 2.0;
    map_w = w2;
  }
  L->map_x = (int)lround(left);
  L->map_y = (int)lround(y);
  L->map_w = (int)lround(map_w);
  L->map_h = (int)lround(map_h);
  if (L->map_w < 1) L->map_w = 1;
  if (L->map_h < 1) L->map_h = 1;

  double ppd = L->map_w / span_lon;
  L->lon_step = graticule_step(span_lon, ppd, lon_w * 1.4);
  L->lat_step = graticule_step(span_lat, ppd, lab_h * 1.6);

  /* Below the map: longitude labels, then the colour bar with its ticks and its label. */
  y = L->map_y + L->map_h + tick + 3.0 * s + lab_h + 22.0 * s;
  L->bar_h = 20.0 * s;
  L->bar_w = 0.4 * W; /* from the picture, not the map: a tall map is narrow */
  if (L->bar_w > 760.0 * s) L->bar_w = 760.0 * s;
  /* The bar and the swatches right of it form one block, centred under the map and kept
   * inside the picture (the bar gives way on narrow pictures). */
  map_scan(m, &L->nodata, &L->foreign);
  double sw_w = 0.0;
  if (L->nodata)
    sw_w += 28.0 * s + L->bar_h + 8.0 * s + osq__draw_text_width(cr, m->nodata_label ? m->nodata_label : "no data");
  if (L->foreign) sw_w += 28.0 * s + L->bar_h + 8.0 * s + osq__draw_text_width(cr, FOREIGN_LABEL);
  if (sw_w > 0.0) sw_w += 12.0 * s;
  double room = W - 2.0 * pad - sw_w;
  if (L->bar_w > room) L->bar_w = fmax(room, 80.0 * s);
  L->bar_w = floor(L->bar_w);
  double bx = L->map_x + (L->map_w - L->bar_w - sw_w) / 2.0;
  if (bx + L->bar_w + sw_w > W - pad) bx = W - pad - L->bar_w - sw_w;
  if (bx < pad) bx = pad;
  L->bar_x = round(bx);
  L->sw_x = L->bar_x + L->bar_w + 12.0 * s;
  L->bar_y = round(y);
  y = L->bar_y + L->bar_h + tick + 3.0 * s + lab_h;
  if (m->legend_label && *m->legend_label) {
    osq__draw_font(cr, L->f_legend, OSQ__DRAW_NORMAL);
    L->legend_y = y + 8.0 * s;
    y += 8.0 * s + osq__draw_line_height(cr);
  }
  L->width = W;
  L->height = (int)ceil(y + pad);
  map_bar_ticks(m, L);
  if (L->height > OSQ_PLOT_WIDTH_MAX)
    return osq_error_add(err, OSQ_ERANGE, path, 0, "map: the picture would be %d px high (at most %d)", L->height,
                         OSQ_PLOT_WIDTH_MAX);
  return 0;
}

/* Value and territory of cell (r, c) of the window. */
static inline float cell_value(const osq_plot_map_t *m, size_t stride, int r, int c) {
  return m->value[(size_t)r * stride + (size_t)c];
}
static inline uint8_t cell_tid(const osq_plot_map_t *m, size_t stride, int r, int c) {
  return m->tid ? m->tid[(size_t)r * stride + (size_t)c] : 1;
}

/* ---------------------------------------------------------------------------------------------- */
/* Cells                                                                                            */
/* ---------------------------------------------------------------------------------------------- */

static uint32_t cell_rgb(const osq_plot_map_t *m, size_t stride, int r, int c) {
  float v = cell_value(m, stride, r, c);
  uint8_t t = cell_tid(m, stride, r, c);
  if (m->tid && t == 0) return OSQ__DRAW_WHITE;
  if (!isnan(v)) return viridis_rgb(scale_index(v, m->vmin, m->vmax)); /* +-inf clamp too */
  if (!m->tid) return OSQ__DRAW_WHITE;
  return t == 255 ? RGB_FOREIGN : RGB_NODATA;
}

/* Paint the cells into the surface's pixels and draw the borders. */
static int map_raster(cairo_surface_t *surf, const osq_plot_map_t *m, const map_layout_t *L) {
  size_t stride = m->stride ? m->stride : (size_t)m->nlon;
  int mw = L->map_w, mh = L->map_h;
  /* Sub-samples per pixel: enough to see every cell when cells are smaller than pixels. */
  int kx = (int)ceil((double)m->nlon / mw - 1e-9), ky = (int)ceil((double)m->nlat / mh - 1e-9);
  if (kx < 1) kx = 1;
  if (kx > 6) kx = 6;
  if (ky < 1) ky = 1;
  if (ky > 6) ky = 6;
  int *col = malloc(((size_t)mw * (size_t)kx + (size_t)mw) * sizeof *col);
  int *row = malloc(((size_t)mh * (size_t)ky + (size_t)mh) * sizeof *row);
  uint8_t *tpx = m->tid ? malloc((size_t)mw * (size_t)mh) : NULL;
  if (!col || !row || (m->tid && !tpx)) {
    free(col);
    free(row);
    free(tpx);
    return OSQ_ENOMEM;
  }
  int *ccol = col + (size_t)mw * (size_t)kx, *crow = row + (size_t)mh * (size_t)ky; /* pixel centres */
  for (int x = 0; x < mw; x++) {
    for (int i = 0; i < kx; i++) {
      int c = (int)floor((x + (i + 0.5) / kx) * m->nlon / mw);
      col[(size_t)x * kx + i] = c < 0 ? 0 : (c >= m->nlon ? m->nlon - 1 : c);
    }
    int c = (int)floor((x + 0.5) * m->nlon / mw);
    ccol[x] = c < 0 ? 0 : (c >= m->nlon ? m->nlon - 1 : c);
  }
  for (int y = 0; y < mh; y++) { /* pixel rows run from the north, cell rows from the south */
    for (int i = 0; i < ky; i++) {
      int r = m->nlat - 1 - (int)floor((y + (i + 0.5) / ky) * m->nlat / mh);
      row[(size_t)y * ky + i] = r < 0 ? 0 : (r >= m->nlat ? m->nlat - 1 : r);
    }
    int r = m->nlat - 1 - (int)floor((y + 0.5) * m->nlat / mh);
    crow[y] = r < 0 ? 0 : (r >= m->nlat ? m->nlat - 1 : r);
  }

  cairo_surface_flush(surf);
  unsigned char *data = cairo_image_surface_get_data(surf);
  int sstride = cairo_image_surface_get_stride(surf);
  int n = kx * ky;
  for (int y = 0; y < mh; y++) {
    uint32_t *px = (uint32_t *)(void *)(data + (size_t)(L->map_y + y) * (size_t)sstride) + L->map_x;
    for (int x = 0; x < mw; x++) {
      unsigned rs = 0, gs = 0, bs = 0;
      for (int j = 0; j < ky; j++) {
        int r = row[(size_t)y * ky + j];
        for (int i = 0; i < kx; i++) {
          uint32_t rgb = cell_rgb(m, stride, r, col[(size_t)x * kx + i]);
          rs += (rgb >> 16) & 0xFF;
          gs += (rgb >> 8) & 0xFF;
          bs += rgb & 0xFF;
        }
      }
      rs = (rs + (unsigned)n / 2) / (unsigned)n;
      gs = (gs + (unsigned)n / 2) / (unsigned)n;
      bs = (bs + (unsigned)n / 2) / (unsigned)n;
      px[x] = 0xFF000000u | (rs << 16) | (gs << 8) | bs;
      if (tpx) tpx[(size_t)y * mw + x] = cell_tid(m, stride, crow[y], ccol[x]);
    }
  }
  /* Borders: a pixel whose right or lower neighbour shows another territory id. */
  if (tpx) {
    for (int y = 0; y < mh; y++) {
      uint32_t *px = (uint32_t *)(void *)(data + (size_t)(L->map_y + y) * (size_t)sstride) + L->map_x;
      for (int x = 0; x < mw; x++) {
        uint8_t t = tpx[(size_t)y * mw + x];
        uint8_t tr = x + 1 < mw ? tpx[(size_t)y * mw + x + 1] : t;
        uint8_t tb = y + 1 < mh ? tpx[(size_t)(y + 1) * mw + x] : t;
        bool frontier = (t != tr && t && tr) || (t != tb && t && tb);
        bool coast = (t != tr) || (t != tb);
        if (frontier)
          px[x] = 0xFF000000u | (luma(px[x]) < 90 ? RGB_BORDER_ON_DARK : RGB_BORDER);
        else if (coast)
          px[x] = 0xFF000000u | RGB_COAST;
      }
    }
  }
  cairo_surface_mark_dirty(surf);
  free(col);
  free(row);
  free(tpx);
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Graticule, colour bar, legend                                                                    */
/* ---------------------------------------------------------------------------------------------- */

static void swatch(cairo_t *cr, double x, double y, double size, uint32_t rgb) {
  cairo_rectangle(cr, x + 0.5, y + 0.5, size - 1.0, size - 1.0);
  osq__draw_rgb(cr, rgb);
  cairo_fill_preserve(cr);
  osq__draw_rgb(cr, OSQ__DRAW_AXIS);
  cairo_set_line_width(cr, 1.0);
  cairo_stroke(cr);
}

/* Graticule: faint lines across the map, ticks and labels outside the frame; then the frame. */
static void map_graticule(cairo_t *cr, const osq_plot_map_t *m, const map_layout_t *L) {
  double s = L->s;
  double span_lon = m->nlon * m->res_deg, span_lat = m->nlat * m->res_deg;
  double lon1 = m->lon0 + span_lon, lat1 = m->lat0 + span_lat;
  double mx = L->map_x, my = L->map_y, mw = L->map_w, mh = L->map_h;
  double tick = 6.0 * s;
  char buf[OSQ__DRAW_LABEL_LEN];

  cairo_set_line_width(cr, 1.0);
  osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
  for (double lon = ceil(m->lon0 / L->lon_step - 1e-9) * L->lon_step; lon <= lon1 + 1e-9; lon += L->lon_step) {
    double x = round(mx + (lon - m->lon0) / span_lon * mw) + 0.5;
    if (x > mx + 1 && x < mx + mw - 1) {
      osq__draw_rgba(cr, 0x000000, 0.15);
      cairo_move_to(cr, x, my);
      cairo_line_to(cr, x, my + mh);
      cairo_stroke(cr);
    }
    lon_label(lon, buf);
    osq__draw_tick(cr, x, my + mh, x, my + mh + tick, buf, x, my + mh + tick + 3.0 * s, 0.5, false);
  }
  for (double lat = ceil(m->lat0 / L->lat_step - 1e-9) * L->lat_step; lat <= lat1 + 1e-9; lat += L->lat_step) {
    double y = round(my + mh - (lat - m->lat0) / span_lat * mh) + 0.5;
    if (y > my + 1 && y < my + mh - 1) {
      osq__draw_rgba(cr, 0x000000, 0.15);
      cairo_move_to(cr, mx, y);
      cairo_line_to(cr, mx + mw, y);
      cairo_stroke(cr);
    }
    lat_label(lat, buf);
    osq__draw_tick(cr, mx - tick, y, mx, y, buf, mx - tick - 4.0 * s, y, 1.0, true);
  }
  osq__draw_rgb(cr, OSQ__DRAW_AXIS);
  cairo_rectangle(cr, mx - 0.5, my - 0.5, mw + 1.0, mh + 1.0);
  cairo_stroke(cr);
}

/* Label of colour-bar tick i: the caller's ticks as given, nice ones with their step's decimals. */
static void bar_tick_label(const map_layout_t *L, int i, char buf[OSQ__DRAW_LABEL_LEN]) {
  if (L->tick_dec >= 0)
    osq__draw_fixed(L->ticks[i], L->tick_dec, buf);
  else
    snprintf(buf, OSQ__DRAW_LABEL_LEN, "%g", L->ticks[i]);
}

/* The colour bar (one column of pixels per colour, crisp edges), its ticks and its label. */
static void map_colour_bar(cairo_t *cr, const osq_plot_map_t *m, const map_layout_t *L) {
  double s = L->s, tick = 6.0 * s;
  char buf[OSQ__DRAW_LABEL_LEN];
  cairo_save(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  int bw = (int)L->bar_w;
  for (int i = 0; i < bw; i++) {
    double v = m->vmin + (i + 0.5) / bw * (m->vmax - m->vmin);
    osq__draw_rgb(cr, viridis_rgb(scale_index(v, m->vmin, m->vmax)));
    cairo_rectangle(cr, L->bar_x + i, L->bar_y, 1.0, L->bar_h);
    cairo_fill(cr);
  }
  cairo_restore(cr);
  osq__draw_rgb(cr, OSQ__DRAW_AXIS);
  cairo_rectangle(cr, L->bar_x - 0.5, L->bar_y - 0.5, bw + 1.0, L->bar_h + 1.0);
  cairo_stroke(cr);
  osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
  /* Label every k-th tick if the labels would touch (a narrow bar, many caller ticks). */
  double lab_w = 0.0, min_gap = INFINITY;
  for (int i = 0; i < L->n_ticks; i++) {
    bar_tick_label(L, i, buf);
    lab_w = fmax(lab_w, osq__draw_text_width(cr, buf));
    if (i > 0) min_gap = fmin(min_gap, fabs(L->ticks[i] - L->ticks[i - 1]) / (m->vmax - m->vmin) * bw);
  }
  int every = 1;
  while (every < L->n_ticks && every * min_gap < lab_w + 8.0 * s) every++;
  for (int i = 0; i < L->n_ticks; i++) {
    double x = round(L->bar_x + (L->ticks[i] - m->vmin) / (m->vmax - m->vmin) * bw) + 0.5;
    if (x > L->bar_x + bw) x -= 1.0;
    bar_tick_label(L, i, buf);
    osq__draw_tick(cr, x, L->bar_y + L->bar_h, x, L->bar_y + L->bar_h + tick, i % every == 0 ? buf : NULL, x,
                   L->bar_y + L->bar_h + tick + 3.0 * s, 0.5, false);
  }
  if (m->legend_label && *m->legend_label) {
    osq__draw_font(cr, L->f_legend, OSQ__DRAW_NORMAL);
    /* Centred under the bar, but shifted to stay inside the picture. */
    double margin = 12.0 * s, avail = L->width - 2.0 * margin;
    double w = fmin(osq__draw_text_width(cr, m->legend_label), avail);
    double xc = L->bar_x + bw / 2.0;
    if (xc - w / 2.0 < margin) xc = margin + w / 2.0;
    if (xc + w / 2.0 > L->width - margin) xc = L->width - margin - w / 2.0;
    osq__draw_rgb(cr, OSQ__DRAW_TEXT);
    osq__draw_text_fit(cr, m->legend_label, xc, L->legend_y, 0.5, false, avail);
  }
}

/* Swatches for the cells the scale does not cover, right of the bar. */
static void map_swatches(cairo_t *cr, const osq_plot_map_t *m, const map_layout_t *L) {
  double s = L->s;
  osq__draw_font(cr, L->f_label, OSQ__DRAW_NORMAL);
  double sw = L->bar_h;
  double x = L->sw_x;
  if (L->nodata) {
    x += 28.0 * s;
    swatch(cr, round(x), L->bar_y, sw, RGB_NODATA);
    osq__draw_rgb(cr, OSQ__DRAW_TEXT);
    const char *lab = m->nodata_label ? m->nodata_label : "no data";
    osq__draw_text_at(cr, lab, x + sw + 8.0 * s, L->bar_y + sw / 2.0, 0.0, true);
    x += sw + 8.0 * s + osq__draw_text_width(cr, lab);
  }
  if (L->foreign) {
    x += 28.0 * s;
    swatch(cr, round(x), L->bar_y, sw, RGB_FOREIGN);
    osq__draw_rgb(cr, OSQ__DRAW_TEXT);
    osq__draw_text_at(cr, FOREIGN_LABEL, x + sw + 8.0 * s, L->bar_y + sw / 2.0, 0.0, true);
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* The picture                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

/* Check m and lay it out, measuring the text on a scratch context (the canvas needs the size). */
static int map_measure(const char *path, const osq_plot_map_t *m, map_layout_t *L, osq_error_t *err) {
  int rc = map_check(path, m, err);
  if (rc) return rc;
  cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t *sc = cairo_create(scratch);
  rc = map_layout(sc, path, m, L, err);
  cairo_status_t st = cairo_status(sc);
  cairo_destroy(sc);
  cairo_surface_destroy(scratch);
  if (rc) return rc;
  if (st != CAIRO_STATUS_SUCCESS) return osq__draw_failure(st, path, err);
  return 0;
}

int osq_plot_map(const char *path, const osq_plot_map_t *m, osq_error_t *err) {
  map_layout_t L;
  int rc = map_measure(path, m, &L, err);
  if (rc) return rc;
  osq__draw_canvas_t cv = {0};
  rc = osq__draw_canvas_open(&cv, L.width, L.height, path, err);
  if (rc == 0 && map_raster(cv.surf, m, &L) != 0)
    rc = osq_error_add(err, OSQ_ENOMEM, path, 0, "out of memory");
  if (rc == 0) {
    map_graticule(cv.cr, m, &L);
    osq__draw_titles(cv.cr, &L.titles, L.text_x, L.width - L.text_x - 12.0 * L.s); /* aligned with the map */
    map_colour_bar(cv.cr, m, &L);
    map_swatches(cv.cr, m, &L);
    rc = osq__draw_canvas_write(&cv, path, err);
  }
  osq__draw_canvas_free(&cv);
  return rc;
}

int osq_plot_map_geometry(const osq_plot_map_t *m, osq_plot_map_geom_t *g, osq_error_t *err) {
  memset(g, 0, sizeof *g);
  map_layout_t L;
  int rc = map_measure(NULL, m, &L, err);
  if (rc) return rc;
  g->width = L.width;
  g->height = L.height;
  g->map_x = L.map_x;
  g->map_y = L.map_y;
  g->map_w = L.map_w;
  g->map_h = L.map_h;
  return 0;
}
