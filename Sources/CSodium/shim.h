#ifndef TRACE_CSODIUM_SHIM_H
#define TRACE_CSODIUM_SHIM_H

// Only what TraceCrypto uses: library start-up, Ed25519 verification and point validation.
#include <sodium/core.h>
#include <sodium/crypto_sign_ed25519.h>
#include <sodium/crypto_core_ed25519.h>

#endif
