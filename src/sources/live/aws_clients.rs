//! The AWS clients of a live run (IAM, EKS, STS, EKS Auth), built from one SDK configuration
//! that carries `--request-timeout`, and each remembering where it sent its last request. A
//! request that times out gets no answer to say who did not answer, and the endpoint a client
//! uses is decided inside the SDK (`AWS_ENDPOINT_URL_<SERVICE>`, the profile's `services`
//! section, FIPS and dual-stack rules): an interceptor records the URL just before it is sent,
//! so "IAM at https://iam.amazonaws.com did not answer within 30s" names the real one.

use std::sync::{Arc, Mutex, PoisonError};

use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_iam::error::BoxError;

use super::LiveError;
use super::timeout::RequestTimeout;

/// An AWS service, as users know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Iam,
    Eks,
    Sts,
    EksAuth,
}

impl Service {
    pub fn label(self) -> &'static str {
        match self {
            Service::Iam => "IAM",
            Service::Eks => "EKS",
            Service::Sts => "STS",
            Service::EksAuth => "EKS Auth",
        }
    }
}

/// Records the scheme, host and port of each request a client is about to send.
#[derive(Debug, Clone, Default)]
struct EndpointSeen(Arc<Mutex<Option<String>>>);

impl EndpointSeen {
    fn get(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// `https://iam.amazonaws.com/?Action=...` -> `https://iam.amazonaws.com`.
fn origin(uri: &str) -> &str {
    let start = uri.find("://").map(|i| i + 3).unwrap_or(0);
    match uri[start..].find(['/', '?']) {
        Some(end) => &uri[..start + end],
        None => uri,
    }
}

impl Intercept for EndpointSeen {
    fn name(&self) -> &'static str {
        "EndpointSeen"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let seen = origin(context.request().uri()).to_string();
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(seen);
        Ok(())
    }
}

/// The clients, and where each last sent a request.
pub struct AwsClients {
    pub sdk: aws_config::SdkConfig,
    pub iam: aws_sdk_iam::Client,
    pub eks: aws_sdk_eks::Client,
    pub sts: aws_sdk_sts::Client,
    pub eks_auth: aws_sdk_eksauth::Client,
    pub timeout: RequestTimeout,
    seen: [EndpointSeen; 4],
}

fn index(service: Service) -> usize {
    match service {
        Service::Iam => 0,
        Service::Eks => 1,
        Service::Sts => 2,
        Service::EksAuth => 3,
    }
}

impl AwsClients {
    /// `sdk` already carries the timeouts (see [`RequestTimeout::aws`]); `timeout` is what the
    /// messages say.
    pub fn new(sdk: aws_config::SdkConfig, timeout: RequestTimeout) -> Self {
        let seen: [EndpointSeen; 4] = Default::default();
        let [iam_seen, eks_seen, sts_seen, auth_seen] = seen.clone();
        let iam = aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(&sdk)
                .interceptor(iam_seen)
                .build(),
        );
        let eks = aws_sdk_eks::Client::from_conf(
            aws_sdk_eks::config::Builder::from(&sdk)
                .interceptor(eks_seen)
                .build(),
        );
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&sdk)
                .interceptor(sts_seen)
                .build(),
        );
        let eks_auth = aws_sdk_eksauth::Client::from_conf(
            aws_sdk_eksauth::config::Builder::from(&sdk)
                .interceptor(auth_seen)
                .build(),
        );
        AwsClients {
            sdk,
            iam,
            eks,
            sts,
            eks_auth,
            timeout,
            seen,
        }
    }

    /// An STS client acting with `credentials` (a proof's), still recording its endpoint.
    pub fn sts_as(&self, credentials: aws_sdk_sts::config::Credentials) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&self.sdk)
                .credentials_provider(credentials)
                .interceptor(self.seen[index(Service::Sts)].clone())
                .build(),
        )
    }

    /// Where `service`'s last request went.
    pub fn endpoint(&self, service: Service) -> String {
        self.seen[index(service)]
            .get()
            .unwrap_or_else(|| "its endpoint".into())
    }

    /// `IAM at https://... did not answer within 3s`.
    pub fn no_answer(&self, service: Service) -> LiveError {
        LiveError::NoAnswer {
            service: service.label().to_string(),
            endpoint: self.endpoint(service),
            within: self.timeout.within(),
        }
    }

    /// Names the service in an error that says only that AWS did not answer; leaves every
    /// other error as it is. Each source's result passes through here with its own service.
    pub fn name(&self, service: Service, err: LiveError) -> LiveError {
        match err {
            LiveError::AwsNoAnswer(_) => self.no_answer(service),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_of_a_request() {
        assert_eq!(
            origin("https://iam.amazonaws.com/?Action=GetRole"),
            "https://iam.amazonaws.com"
        );
        assert_eq!(
            origin("http://127.0.0.1:4566/clusters/x"),
            "http://127.0.0.1:4566"
        );
        assert_eq!(origin("http://127.0.0.1:4566"), "http://127.0.0.1:4566");
    }
}
