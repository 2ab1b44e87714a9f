#ifndef TRACE_COPENSSL_SHIM_H
#define TRACE_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>

// OPENSSL_free is a function-like macro, which Swift cannot import.
static inline void trace_openssl_free(void *p) { OPENSSL_free(p); }

// BIO_get_mem_data is a macro over BIO_ctrl.
static inline long trace_bio_mem_data(BIO *bio, char **out) { return BIO_get_mem_data(bio, out); }

#endif
