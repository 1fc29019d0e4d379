/* s3-compaction launcher: starts the bundle's binary through the bundle's own dynamic loader and
 * libraries, so that nothing is taken from the host but the Linux kernel.
 *
 *   <bundle>/bin/s3-compaction       this program, linked statically (it needs no library)
 *   <bundle>/lib/ld-linux-x86-64.so.2  the loader that comes with the bundled glibc
 *   <bundle>/lib/                    glibc, libstdc++, libgcc_s, libcurl and its TLS, Arrow
 *   <bundle>/libexec/s3-compaction   the binary
 *
 * It runs  lib/ld-linux-x86-64.so.2 --library-path lib --inhibit-cache --argv0 ARGV0
 *          libexec/s3-compaction ARGS...
 * The host's LD_LIBRARY_PATH and /etc/ld.so.cache are not consulted (--library-path replaces
 * the first, --inhibit-cache the second), and the environment reaches the binary untouched, so
 * the programs it starts (a credential_process) run with the host's own libraries.
 *
 * The bundle is found from /proc/self/exe (symlinks to the launcher resolved), or from argv[0]
 * when /proc is not mounted. Failures print one line and exit 127, as a shell does for a
 * command it cannot run. Built by deploy/package.sh with `cc -static`. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

static const char kName[] = "s3-compaction";

static int fail(const char* what, const char* path, int err) {
  fprintf(stderr, "%s: launcher: %s%s%s%s%s\n", kName, what, path ? " " : "", path ? path : "",
          err ? ": " : "", err ? strerror(err) : "");
  return 127;
}

/* The launcher's own path, symlinks resolved, into `out` (PATH_MAX bytes). */
static int self_path(const char* argv0, char* out) {
  ssize_t n = readlink("/proc/self/exe", out, PATH_MAX - 1);
  if (n > 0) {
    out[n] = '\0';
    return 0;
  }
  /* No /proc (a bare chroot): argv[0] as the shell passed it. */
  if (argv0 && strchr(argv0, '/') && realpath(argv0, out)) return 0;
  const char* path = getenv("PATH");
  if (argv0 && *argv0 && !strchr(argv0, '/') && path) {
    char candidate[PATH_MAX];
    for (const char* p = path; *p;) {
      const char* end = strchr(p, ':');
      size_t len = end ? (size_t)(end - p) : strlen(p);
      if (len > 0 && len + 1 + strlen(argv0) < sizeof candidate) {
        memcpy(candidate, p, len);
        candidate[len] = '/';
        strcpy(candidate + len + 1, argv0);
        struct stat st;
        if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0 &&
            realpath(candidate, out))
          return 0;
      }
      if (!end) break;
      p = end + 1;
    }
  }
  return -1;
}

int main(int argc, char** argv) {
  /* Set-user-ID or with file capabilities, the bundle's location could come from argv[0] and
   * PATH, which the caller controls, and the loader would run with the raised privileges. */
  if (getauxval(AT_SECURE) || getuid() != geteuid() || getgid() != getegid()) {
    return fail("refuses to run set-user-ID, set-group-ID or with file capabilities", NULL, 0);
  }
  char self[PATH_MAX];
  if (self_path(argc > 0 ? argv[0] : NULL, self) != 0) {
    return fail("cannot find where it is installed (mount /proc, or run it by its full path)",
                NULL, 0);
  }
  /* <bundle>/bin/s3-compaction -> <bundle> */
  char* slash = strrchr(self, '/');
  if (slash) *slash = '\0';
  slash = strrchr(self, '/');
  if (!slash) return fail("is not inside a bundle (<bundle>/bin/s3-compaction):", self, 0);
  *slash = '\0';
  const char* root = self[0] ? self : "/";
  if (strpbrk(root, ":;$")) {
    /* The loader's --library-path is a list separated by ':' or ';', in which $ORIGIN, $LIB and
     * $PLATFORM are expanded: such a path would send it to other folders, the host's among them. */
    return fail("cannot run from a folder whose path has a ':', ';' or '$' in it:", root, 0);
  }
  char loader[PATH_MAX], lib[PATH_MAX], binary[PATH_MAX];
  if (snprintf(loader, sizeof loader, "%s/lib/ld-linux-x86-64.so.2", root) >= PATH_MAX ||
      snprintf(lib, sizeof lib, "%s/lib", root) >= PATH_MAX ||
      snprintf(binary, sizeof binary, "%s/libexec/%s", root, kName) >= PATH_MAX) {
    return fail("install path too long:", root, 0);
  }
  if (access(binary, R_OK) != 0) return fail("cannot read", binary, errno);

  /* The host's OpenSSL configuration is meant for the host's OpenSSL: one that loads a provider
   * the bundle lacks (fips) makes the AWS SDK inside Arrow abort at start. The bundle's two
   * OpenSSLs (Debian's libssl, and the one inside libarrow_s3) read the bundle's own
   * etc/openssl.cnf instead, unless the caller chose one. Host libraries the caller asks the
   * loader to preload or audit would be loaded against the bundle's glibc: they are set aside.
   * The binary gives the programs it starts (credential_process) the environment back as it
   * was, from the S3C_HOST_ variables (src/aws/credentials/child_environment.h). */
  char conf[PATH_MAX];
  if (!getenv("OPENSSL_CONF")) {
    if (snprintf(conf, sizeof conf, "%s/etc/openssl.cnf", root) >= PATH_MAX) {
      return fail("install path too long:", root, 0);
    }
    if (setenv("OPENSSL_CONF", conf, 1) != 0 || setenv("S3C_HOST_OPENSSL_CONF_UNSET", "1", 1) != 0) {
      return fail("cannot set OPENSSL_CONF", NULL, errno);
    }
  }
  static const char* const kSetAside[][2] = {{"LD_PRELOAD", "S3C_HOST_LD_PRELOAD"},
                                             {"LD_AUDIT", "S3C_HOST_LD_AUDIT"}};
  for (size_t i = 0; i < sizeof kSetAside / sizeof kSetAside[0]; ++i) {
    const char* value = getenv(kSetAside[i][0]);
    if (!value) continue;
    if (setenv(kSetAside[i][1], value, 1) != 0 || unsetenv(kSetAside[i][0]) != 0) {
      return fail("cannot set aside", kSetAside[i][0], errno);
    }
  }

  char** args = calloc((size_t)argc + 8, sizeof *args);
  if (!args) return fail("out of memory", NULL, 0);
  int k = 0;
  args[k++] = loader;
  args[k++] = "--library-path";
  args[k++] = lib;
  args[k++] = "--inhibit-cache";
  args[k++] = "--argv0";
  args[k++] = argc > 0 && argv[0] ? argv[0] : (char*)kName;
  args[k++] = binary;
  for (int i = 1; i < argc; ++i) args[k++] = argv[i];
  args[k] = NULL;
  execv(loader, args);
  return fail("cannot start", loader, errno);
}
