#ifndef CCURL_SHIMS_H
#define CCURL_SHIMS_H
#include <curl/curl.h>
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
#endif
