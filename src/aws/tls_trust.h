#pragma once
// TlsTrust: the CA certificates every HTTPS call of the process verifies servers with: our
// libcurl calls (Glue, STS, S3 batch deletes and conditional writes, container credentials) and
// Arrow's S3 client alike, so both trust the same roots wherever the binary runs.
//
// The bundle carries its own libcurl and OpenSSL, whose compiled-in defaults name one
// distribution's paths (Debian's /etc/ssl/certs/ca-certificates.crt); Amazon Linux, where Glue
// runs, keeps its roots elsewhere. So the roots are looked up, first match wins:
//
//   1. AWS_CA_BUNDLE                 a PEM file (as the AWS CLI and SDKs read it)
//   2. the profile's ca_bundle       in the AWS config file
//   3. SSL_CERT_FILE, SSL_CERT_DIR   OpenSSL's variables: a PEM file and/or a hashed folder
//   4. the known bundle files        Debian/Ubuntu/Alpine, RHEL/Fedora/Amazon Linux 2 and 2023,
//                                    SUSE, (as Go's crypto/x509 and curl's configure list them)
//   5. the known hashed folders      /etc/ssl/certs, /etc/pki/tls/certs
//
// A variable or setting that names a missing or unreadable file is an error naming it (no
// silent fallback to other roots); finding nothing is an error that names every path tried.
// Resolved once per process, on the first HTTPS use: a run that stays on local files never
// needs, or asks for, certificates.

#include <functional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "aws/aws_config.h"

namespace s3c::aws {

class TlsTrust {
 public:
  /// Exactly one of the two may be empty; a file and a folder together come only from
  /// SSL_CERT_FILE and SSL_CERT_DIR both set.
  std::string ca_file;  // a PEM bundle
  std::string ca_dir;   // a folder of PEM files named by subject hash (c_rehash)
  std::string source;   // where it came from, for --verbose: "AWS_CA_BUNDLE", "/etc/...", ...

  /// What the file system looks like to the lookup (replaced in tests).
  struct Probe {
    std::function<bool(const std::string& path)> readable_file;
    std::function<bool(const std::string& path)> hashed_folder;  // holds a "<8 hex>.<n>" entry
  };
  static Probe RealProbe();

  /// The known bundle files and hashed folders, in the order they are tried.
  static const std::vector<std::string>& KnownFiles();
  static const std::vector<std::string>& KnownFolders();

  /// The lookup above, for `config`'s environment and profile.
  static arrow::Result<TlsTrust> Find(const AwsConfig& config, const Probe& probe);

  /// Find() for this process's environment, resolved on first call and then the same answer
  /// (or the same error) for the life of the process. Thread-safe.
  static const arrow::Result<TlsTrust>& ForProcess();
};

}  // namespace s3c::aws
