// PC/SC for contactless card readers, through libpcsclite loaded at run time (dlopen), so that
// `mms` builds and runs on a machine without PC/SC; only `--reader pcsc` needs the library.
#ifndef MMS_PCSC_H
#define MMS_PCSC_H
#include <stddef.h>

// Results: 0 is success; other values are PC/SC codes (SCARD_E_…, SCARD_W_…), or
// MMS_PCSC_NO_LIBRARY when libpcsclite.so.1 could not be loaded.
#define MMS_PCSC_NO_LIBRARY 0x7FFF0001L
#define MMS_PCSC_TIMEOUT 0x8010000AL
#define MMS_PCSC_NO_READERS 0x8010002EL
#define MMS_PCSC_NO_SERVICE 0x8010001DL
#define MMS_PCSC_REMOVED 0x80100069L
#define MMS_PCSC_NO_CARD 0x8010000CL
#define MMS_PCSC_READER_GONE 0x80100017L
#define MMS_PCSC_UNKNOWN_READER 0x80100009L

// Card presence as SCardGetStatusChange reports it.
#define MMS_PCSC_STATE_CHANGED 0x0002UL
#define MMS_PCSC_STATE_UNKNOWN 0x0004UL
#define MMS_PCSC_STATE_UNAVAILABLE 0x0008UL
#define MMS_PCSC_STATE_EMPTY 0x0010UL
#define MMS_PCSC_STATE_PRESENT 0x0020UL

long mms_pcsc_load(void);
long mms_pcsc_establish(long *context);
long mms_pcsc_release(long context);
/// Reader names, each NUL-terminated, the list ended by an empty name.
long mms_pcsc_list(long context, char *names, unsigned long *length);
/// Waits up to `timeout_ms` for `reader`'s state to differ from `*state`; updates it.
long mms_pcsc_wait(long context, const char *reader, unsigned long timeout_ms, unsigned long *state);
long mms_pcsc_connect(long context, const char *reader, long *card, unsigned long *protocol);
long mms_pcsc_transmit(long card, unsigned long protocol, const unsigned char *apdu, unsigned long length,
                       unsigned char *reply, unsigned long *reply_length);
long mms_pcsc_disconnect(long card);
const char *mms_pcsc_describe(long code);
#endif
