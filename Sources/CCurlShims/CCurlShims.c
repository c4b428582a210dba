#include "CCurlShims.h"
#include <stdlib.h>
#include <zlib.h>
CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
CURLcode ccurl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
CURLcode ccurl_setopt_write_function(CURL *h, ccurl_data_callback cb) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb); }
CURLcode ccurl_setopt_read_function(CURL *h, ccurl_data_callback cb) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb); }
CURLcode ccurl_setopt_header_function(CURL *h, ccurl_data_callback cb) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb); }
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
CURLcode ccurl_setopt_xferinfo_function(CURL *h, ccurl_xferinfo_callback cb) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb); }

struct ccurl_gzip { z_stream zs; };

ccurl_gzip *ccurl_gzip_new(int level) {
    ccurl_gzip *gz = calloc(1, sizeof(ccurl_gzip));
    if (!gz) return NULL;
    // 16 + MAX_WBITS asks zlib for a gzip header/trailer instead of a zlib one.
    if (deflateInit2(&gz->zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(gz);
        return NULL;
    }
    return gz;
}

int ccurl_gzip_compress(ccurl_gzip *gz, const uint8_t *in, size_t in_len, int finish,
                        uint8_t *out, size_t out_cap, size_t *consumed, size_t *produced) {
    gz->zs.next_in = (Bytef *)in;
    gz->zs.avail_in = (uInt)in_len;
    gz->zs.next_out = out;
    gz->zs.avail_out = (uInt)out_cap;
    int rc = deflate(&gz->zs, finish ? Z_FINISH : Z_NO_FLUSH);
    *consumed = in_len - gz->zs.avail_in;
    *produced = out_cap - gz->zs.avail_out;
    if (rc == Z_STREAM_END) return 1;
    if (rc == Z_OK || rc == Z_BUF_ERROR) return 0;
    return -1;
}

void ccurl_gzip_free(ccurl_gzip *gz) {
    if (!gz) return;
    deflateEnd(&gz->zs);
    free(gz);
}

int ccurl_gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *produced) {
    z_stream zs = {0};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return -1;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = out;
    zs.avail_out = (uInt)out_cap;
    int rc = inflate(&zs, Z_FINISH);
    *produced = out_cap - zs.avail_out;
    inflateEnd(&zs);
    if (rc == Z_STREAM_END) return 0;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) return -2;
    return -1;
}

struct ccurl_gunzip_stream { z_stream zs; };

ccurl_gunzip_stream *ccurl_gunzip_stream_new(const uint8_t *in, size_t in_len) {
    ccurl_gunzip_stream *gz = calloc(1, sizeof(ccurl_gunzip_stream));
    if (!gz) return NULL;
    if (inflateInit2(&gz->zs, 16 + MAX_WBITS) != Z_OK) { free(gz); return NULL; }
    gz->zs.next_in = (Bytef *)in;
    gz->zs.avail_in = (uInt)in_len;
    return gz;
}

int ccurl_gunzip_stream_next(ccurl_gunzip_stream *gz, uint8_t *out, size_t out_cap, size_t *produced) {
    gz->zs.next_out = out;
    gz->zs.avail_out = (uInt)out_cap;
    for (;;) {
        int rc = inflate(&gz->zs, Z_NO_FLUSH);
        *produced = out_cap - gz->zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (gz->zs.avail_in == 0) return 0;
            /* RFC 1952: a gzip stream is one or more members back to back (what gzip and Go's and
               Python's readers decode); anything else after a member is damage, never ignored. */
            if (gz->zs.avail_in < 2 || gz->zs.next_in[0] != 0x1f || gz->zs.next_in[1] != 0x8b) return -1;
            if (inflateReset(&gz->zs) != Z_OK) return -1;
            if (gz->zs.avail_out == 0) return 1;
            continue;
        }
        /* Stopped with room left: the input ran out before the stream's end. */
        if ((rc == Z_OK || rc == Z_BUF_ERROR) && gz->zs.avail_out == 0) return 1;
        return -1;
    }
}

void ccurl_gunzip_stream_free(ccurl_gunzip_stream *gz) {
    if (!gz) return;
    inflateEnd(&gz->zs);
    free(gz);
}
