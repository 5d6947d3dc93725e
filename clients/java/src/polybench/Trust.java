package polybench;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The trust set-up of an https:// run: an SSLContext whose only trust anchor is the CA in --ca-file. */
final class Trust {
    private Trust() {
    }

    /**
     * An SSLContext trusting exactly the certificates in the PEM file (never the JDK's cacerts); host names are
     * checked by HttpClient as always. Throws if the file cannot be read or holds no certificate.
     */
    static SSLContext onlyCa(String caFile) throws Exception {
        Collection<? extends Certificate> certificates;
        try (InputStream in = new FileInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) throw new IOException("--ca-file: no certificate in " + caFile);
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) anchors.setCertificateEntry("ca-" + i++, certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
