// Fixture for the layer check test: an OpenSSL header outside transport/srtp/.
#include <openssl/ssl.h>
