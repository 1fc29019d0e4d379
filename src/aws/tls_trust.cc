#include "aws/tls_trust.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace s3c::aws {

namespace {

bool LooksHashed(const char* name) {
  // OpenSSL's lookup names: 8 hex digits, a dot, a number ("3513523f.0").
  for (int i = 0; i < 8; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  if (name[8] != '.' || !std::isdigit(static_cast<unsigned char>(name[9]))) return false;
  for (const char* p = name + 10; *p; ++p) {
    if (!std::isdigit(static_cast<unsigned char>(*p))) return false;
  }
  return true;
}

std::string Joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

TlsTrust::Probe TlsTrust::RealProbe() {
  Probe probe;
  probe.readable_file = [](const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
           ::access(path.c_str(), R_OK) == 0;
  };
  probe.hashed_folder = [](const std::string& path) {
    struct Closer {
      void operator()(DIR* d) const { ::closedir(d); }
    };
    std::unique_ptr<DIR, Closer> dir(::opendir(path.c_str()));
    if (!dir) return false;
    while (const dirent* entry = ::readdir(dir.get())) {
      if (LooksHashed(entry->d_name)) return true;
    }
    return false;
  };
  return probe;
}

const std::vector<std::string>& TlsTrust::KnownFiles() {
  static const std::vector<std::string> files = {
      "/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Alpine, Arch, Gentoo
      "/etc/pki/tls/certs/ca-bundle.crt",                  // Amazon Linux 2 and 2023, RHEL, Fedora
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL 7+, Amazon Linux 2023
      "/etc/ssl/ca-bundle.pem",                            // openSUSE, SLES
      "/var/lib/ca-certificates/ca-bundle.pem",            // SLES 15
      "/etc/ssl/cert.pem",                                 // Alpine, OpenBSD
      "/etc/pki/tls/cacert.pem",                           // OpenELEC
  };
  return files;
}

const std::vector<std::string>& TlsTrust::KnownFolders() {
  static const std::vector<std::string> folders = {"/etc/ssl/certs", "/etc/pki/tls/certs"};
  return folders;
}

arrow::Result<TlsTrust> TlsTrust::Find(const AwsConfig& config, const Probe& probe) {
  auto named_file = [&](const std::string& what, const std::string& path) -> arrow::Result<TlsTrust> {
    if (!probe.readable_file(path)) {
      return arrow::Status::IOError(what, " names '", path,
                                    "', which is not a readable, non-empty file of CA certificates");
    }
    return TlsTrust{path, "", what + " (" + path + ")"};
  };
  if (auto bundle = config.Get("AWS_CA_BUNDLE")) return named_file("AWS_CA_BUNDLE", *bundle);
  if (auto settings = config.ProfileSettings(config.profile())) {
    auto it = settings->find("ca_bundle");
    if (it != settings->end() && !it->second.empty()) {
      return named_file("ca_bundle of profile '" + config.profile() + "' in " +
                            config.config_path(),
                        it->second);
    }
  }
  auto ssl_file = config.Get("SSL_CERT_FILE");
  auto ssl_dir = config.Get("SSL_CERT_DIR");
  if (ssl_file || ssl_dir) {
    TlsTrust trust;
    if (ssl_file) {
      ARROW_ASSIGN_OR_RAISE(trust, named_file("SSL_CERT_FILE", *ssl_file));
    }
    if (ssl_dir) {
      // OpenSSL takes a list; the first folder that holds certificates serves.
      std::string list = *ssl_dir;
      size_t start = 0;
      while (start <= list.size() && trust.ca_dir.empty()) {
        size_t end = list.find(':', start);
        if (end == std::string::npos) end = list.size();
        std::string folder = list.substr(start, end - start);
        if (!folder.empty() && probe.hashed_folder(folder)) trust.ca_dir = folder;
        start = end + 1;
      }
      if (trust.ca_dir.empty()) {
        return arrow::Status::IOError("SSL_CERT_DIR names '", list,
                                      "', which holds no hashed CA certificate (run c_rehash on it)");
      }
      trust.source = (ssl_file ? trust.source + " and " : std::string()) + "SSL_CERT_DIR (" +
                     trust.ca_dir + ")";
    }
    return trust;
  }
  for (const auto& file : KnownFiles()) {
    if (probe.readable_file(file)) return TlsTrust{file, "", file};
  }
  for (const auto& folder : KnownFolders()) {
    if (probe.hashed_folder(folder)) return TlsTrust{"", folder, folder};
  }
  return arrow::Status::IOError(
      "no CA certificates for HTTPS: set AWS_CA_BUNDLE (or SSL_CERT_FILE) to a PEM file of them, "
      "or install the system's CA certificates; tried AWS_CA_BUNDLE, ca_bundle in ",
      config.config_path(), ", SSL_CERT_FILE, SSL_CERT_DIR (all unset), ", Joined(KnownFiles()),
      ", and the folders ", Joined(KnownFolders()));
}

const arrow::Result<TlsTrust>& TlsTrust::ForProcess() {
  // FromEnv, not FromEnvironment: the first HTTPS call may come from any thread, and
  // FromEnvironment may setenv.
  static std::once_flag once;
  static std::unique_ptr<arrow::Result<TlsTrust>> trust;
  std::call_once(once, [] {
    trust = std::make_unique<arrow::Result<TlsTrust>>(
        Find(AwsConfig::FromEnv(AwsConfig::ProcessEnv()), RealProbe()));
  });
  return *trust;
}

}  // namespace s3c::aws
