// recoup: configuration macros. Every macro may be overridden by defining it before any recoup
// header is included.
#pragma once

#define RECOUP_VERSION_MAJOR 0
#define RECOUP_VERSION_MINOR 1
#define RECOUP_VERSION_PATCH 0
#define RECOUP_VERSION_STRING "0.1.0"

// Default signature timestamp tolerance, both directions (Stripe and Recurly SDKs use 5 minutes).
#ifndef RECOUP_DEFAULT_TOLERANCE_SECONDS
#define RECOUP_DEFAULT_TOLERANCE_SECONDS 300
#endif

// Largest webhook body the host accepts (413 above it).
#ifndef RECOUP_DEFAULT_BODY_LIMIT
#define RECOUP_DEFAULT_BODY_LIMIT (1024 * 1024)
#endif

// Everything lives in a versioned inline namespace so two copies of different versions in one
// process never clash (nlohmann/json does the same).
#ifndef RECOUP_ABI_TAG
#define RECOUP_ABI_TAG v1
#endif

#define RECOUP_BEGIN_NAMESPACE \
    namespace recoup {         \
    inline namespace RECOUP_ABI_TAG {
#define RECOUP_END_NAMESPACE \
    }                        \
    }
