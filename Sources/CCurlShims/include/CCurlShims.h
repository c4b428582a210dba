#ifndef CCURL_SHIMS_H
#define CCURL_SHIMS_H
#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>
// curl_easy_setopt/getinfo are variadic; these typed shims make them callable from Swift.
CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
CURLcode ccurl_setopt_write_function(CURL *handle, ccurl_data_callback cb);
CURLcode ccurl_setopt_read_function(CURL *handle, ccurl_data_callback cb);
CURLcode ccurl_setopt_header_function(CURL *handle, ccurl_data_callback cb);
CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);

// Progress callback (CURLOPT_XFERINFOFUNCTION); returning non-zero aborts the transfer.
typedef int (*ccurl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);
CURLcode ccurl_setopt_xferinfo_function(CURL *handle, ccurl_xferinfo_callback cb);

// Streaming gzip (zlib deflate with a gzip wrapper). Opaque so zlib types stay out of Swift.
typedef struct ccurl_gzip ccurl_gzip;
// Returns NULL when zlib cannot allocate its state. level: 0-9, or -1 for zlib's default.
ccurl_gzip *ccurl_gzip_new(int level);
// Compresses input into out. finish != 0 flushes the gzip trailer once all input is consumed.
// Returns 0 while more output may follow, 1 when the stream is complete, -1 on error.
int ccurl_gzip_compress(ccurl_gzip *gz, const uint8_t *in, size_t in_len, int finish,
                        uint8_t *out, size_t out_cap, size_t *consumed, size_t *produced);
void ccurl_gzip_free(ccurl_gzip *gz);

// One-shot gunzip for checks; returns 0 on success, -1 on corrupt input, -2 if out is too small.
int ccurl_gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *produced);

// Streaming gunzip, for output grown by the caller a chunk at a time. `in` must stay valid until
// ccurl_gunzip_stream_free. Returns NULL when zlib cannot allocate its state.
typedef struct ccurl_gunzip_stream ccurl_gunzip_stream;
ccurl_gunzip_stream *ccurl_gunzip_stream_new(const uint8_t *in, size_t in_len);
// Inflates into out[0..<out_cap]; *produced is what it wrote. Returns 0 at the stream's end,
// 1 when out is full and more may follow, -1 on corrupt or truncated input.
int ccurl_gunzip_stream_next(ccurl_gunzip_stream *gz, uint8_t *out, size_t out_cap, size_t *produced);
void ccurl_gunzip_stream_free(ccurl_gunzip_stream *gz);
#endif
