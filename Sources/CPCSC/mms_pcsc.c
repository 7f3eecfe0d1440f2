#include "mms_pcsc.h"
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

// pcsc-lite's types on Linux: LONG and DWORD are C longs.
typedef long LONG;
typedef unsigned long DWORD;
typedef struct {
    const char *szReader;
    void *pvUserData;
    DWORD dwCurrentState;
    DWORD dwEventState;
    DWORD cbAtr;
    unsigned char rgbAtr[33];
} READERSTATE;
typedef struct { unsigned long dwProtocol; unsigned long cbPciLength; } IO_REQUEST;

#define SCOPE_SYSTEM 2UL
#define SHARE_SHARED 2UL
#define PROTOCOL_T0 1UL
#define PROTOCOL_T1 2UL
#define LEAVE_CARD 0UL

static void *library;
static LONG (*establish)(DWORD, const void *, const void *, LONG *);
static LONG (*release)(LONG);
static LONG (*list_readers)(LONG, const char *, char *, DWORD *);
static LONG (*status_change)(LONG, DWORD, READERSTATE *, DWORD);
static LONG (*connect_card)(LONG, const char *, DWORD, DWORD, LONG *, DWORD *);
static LONG (*disconnect_card)(LONG, DWORD);
static LONG (*transmit)(LONG, const IO_REQUEST *, const unsigned char *, DWORD, IO_REQUEST *, unsigned char *, DWORD *);
static const char *(*stringify)(LONG);

static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;

static long load_locked(void) {
    if (library) return 0;
    void *handle = dlopen("libpcsclite.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle) return MMS_PCSC_NO_LIBRARY;
    establish = dlsym(handle, "SCardEstablishContext");
    release = dlsym(handle, "SCardReleaseContext");
    list_readers = dlsym(handle, "SCardListReaders");
    status_change = dlsym(handle, "SCardGetStatusChange");
    connect_card = dlsym(handle, "SCardConnect");
    disconnect_card = dlsym(handle, "SCardDisconnect");
    transmit = dlsym(handle, "SCardTransmit");
    stringify = dlsym(handle, "pcsc_stringify_error");
    if (!establish || !release || !list_readers || !status_change || !connect_card || !disconnect_card || !transmit) {
        dlclose(handle);
        return MMS_PCSC_NO_LIBRARY;
    }
    library = handle;
    return 0;
}

// Several reader threads may start at once: the library is loaded once.
long mms_pcsc_load(void) {
    pthread_mutex_lock(&loading);
    long rv = load_locked();
    pthread_mutex_unlock(&loading);
    return rv;
}

long mms_pcsc_establish(long *context) { return establish(SCOPE_SYSTEM, NULL, NULL, context); }
long mms_pcsc_release(long context) { return release(context); }

long mms_pcsc_list(long context, char *names, unsigned long *length) {
    DWORD size = *length;
    LONG rv = list_readers(context, NULL, names, &size);
    *length = size;
    return rv;
}

long mms_pcsc_wait(long context, const char *reader, unsigned long timeout_ms, unsigned long *state) {
    READERSTATE rs;
    memset(&rs, 0, sizeof rs);
    rs.szReader = reader;
    rs.dwCurrentState = *state;
    LONG rv = status_change(context, timeout_ms, &rs, 1);
    if (rv == 0) *state = rs.dwEventState & ~MMS_PCSC_STATE_CHANGED;
    return rv;
}

long mms_pcsc_connect(long context, const char *reader, long *card, unsigned long *protocol) {
    DWORD active = 0;
    LONG rv = connect_card(context, reader, SHARE_SHARED, PROTOCOL_T0 | PROTOCOL_T1, card, &active);
    *protocol = active;
    return rv;
}

long mms_pcsc_transmit(long card, unsigned long protocol, const unsigned char *apdu, unsigned long length,
                       unsigned char *reply, unsigned long *reply_length) {
    IO_REQUEST send = { protocol, sizeof(IO_REQUEST) };
    DWORD size = *reply_length;
    LONG rv = transmit(card, &send, apdu, length, NULL, reply, &size);
    *reply_length = size;
    return rv;
}

long mms_pcsc_disconnect(long card) { return disconnect_card(card, LEAVE_CARD); }

const char *mms_pcsc_describe(long code) {
    if (code == MMS_PCSC_NO_LIBRARY) return "libpcsclite.so.1 is not installed (apt install libpcsclite1 pcscd)";
    return stringify ? stringify(code) : "PC/SC error";
}
