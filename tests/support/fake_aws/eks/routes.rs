//! EKS's REST paths: a request's method and path segments to a [`Route`], and each route's
//! operation name (what faults, the request log and [`super::EKS_WRITES`] use). A new operation
//! is a variant here, its path in [`Route::parse`] and its name in [`Route::operation`].

use http::Method;

#[derive(Debug)]
pub(super) enum Route {
    ListClusters,
    DescribeCluster(String),
    ListAssociations(String),
    CreateAssociation(String),
    DescribeAssociation(String, String),
    UpdateAssociation(String, String),
    DeleteAssociation(String, String),
    ListAddons(String),
    DescribeAddon(String, String),
    CreateAddon(String),
    DeleteAddon(String, String),
    Unknown,
}

impl Route {
    pub(super) fn parse(method: &Method, segments: &[String]) -> Route {
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        match (method.as_str(), segs.as_slice()) {
            ("GET", ["clusters"]) => Route::ListClusters,
            ("GET", ["clusters", name]) => Route::DescribeCluster(name.to_string()),
            ("GET", ["clusters", name, "pod-identity-associations"]) => {
                Route::ListAssociations(name.to_string())
            }
            ("POST", ["clusters", name, "pod-identity-associations"]) => {
                Route::CreateAssociation(name.to_string())
            }
            ("GET", ["clusters", name, "pod-identity-associations", id]) => {
                Route::DescribeAssociation(name.to_string(), id.to_string())
            }
            ("POST", ["clusters", name, "pod-identity-associations", id]) => {
                Route::UpdateAssociation(name.to_string(), id.to_string())
            }
            ("DELETE", ["clusters", name, "pod-identity-associations", id]) => {
                Route::DeleteAssociation(name.to_string(), id.to_string())
            }
            ("GET", ["clusters", name, "addons"]) => Route::ListAddons(name.to_string()),
            ("GET", ["clusters", name, "addons", addon]) => {
                Route::DescribeAddon(name.to_string(), addon.to_string())
            }
            ("POST", ["clusters", name, "addons"]) => Route::CreateAddon(name.to_string()),
            ("DELETE", ["clusters", name, "addons", addon]) => {
                Route::DeleteAddon(name.to_string(), addon.to_string())
            }
            _ => Route::Unknown,
        }
    }

    pub(super) fn operation(&self) -> &'static str {
        match self {
            Route::ListClusters => "ListClusters",
            Route::DescribeCluster(_) => "DescribeCluster",
            Route::ListAssociations(_) => "ListPodIdentityAssociations",
            Route::CreateAssociation(_) => "CreatePodIdentityAssociation",
            Route::DescribeAssociation(..) => "DescribePodIdentityAssociation",
            Route::UpdateAssociation(..) => "UpdatePodIdentityAssociation",
            Route::DeleteAssociation(..) => "DeletePodIdentityAssociation",
            Route::ListAddons(_) => "ListAddons",
            Route::DescribeAddon(..) => "DescribeAddon",
            Route::CreateAddon(_) => "CreateAddon",
            Route::DeleteAddon(..) => "DeleteAddon",
            Route::Unknown => "Unknown",
        }
    }

    pub(super) fn cluster(&self) -> Option<&str> {
        match self {
            Route::ListClusters | Route::Unknown => None,
            Route::DescribeCluster(c)
            | Route::ListAssociations(c)
            | Route::CreateAssociation(c)
            | Route::DescribeAssociation(c, _)
            | Route::UpdateAssociation(c, _)
            | Route::DeleteAssociation(c, _)
            | Route::ListAddons(c)
            | Route::DescribeAddon(c, _)
            | Route::CreateAddon(c)
            | Route::DeleteAddon(c, _) => Some(c),
        }
    }
}
